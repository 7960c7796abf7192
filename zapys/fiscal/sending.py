"""Sending receipts to Checkbox and following them until DONE or ERROR (the `fiscal.send`
job), and closing shifts (the `fiscal.shifts` job).

A worker claims a register (a conditional UPDATE of `busy_until`), so one worker at a time
sends its receipts — in order of creation, stopping at the first one Checkbox could not take
(down: the rest wait and go out once, in order) — and opens its shift. Each receipt is posted
with the UUID stored when it was asked for; an answer lost on the way is sent again with the
same id, and `receipt.already_exists` means it is there: follow it, never make another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.core.money import format_money
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import organization_zone, unscoped
from zapys.fiscal.checkbox import CHECK_PAGE, CheckboxClient, CheckboxError
from zapys.fiscal.events import RECEIPT_READY, RETURN_RECEIPT_READY
from zapys.fiscal.models import CashRegister, FiscalReceipt, Shift
from zapys.fiscal.services import backoff, receipt_body, register_client, staff_told
from zapys.fiscal.shifts import (
    ACTOR,
    shift_close,
    shift_close_due,
    shift_closing_poll,
    shift_live,
    shift_ready,
)
from zapys.messaging.services import message_send

#: How long a claimed register is a worker's: longer than a batch of Checkbox calls.
LEASE = timedelta(minutes=5)
BATCH = 100
PENDING = FiscalReceipt.Status.PENDING


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items())) or "nothing to do"


def register_claim(register_id: int, now: datetime) -> CashRegister | None:
    won = (
        CashRegister.objects.filter(pk=register_id)
        .filter(Q(busy_until__isnull=True) | Q(busy_until__lte=now))
        .update(busy_until=now + LEASE)
    )
    if not won:
        return None
    return CashRegister.objects.select_related("organization", "branch").get(pk=register_id)


def register_release(register: CashRegister) -> None:
    CashRegister.objects.filter(pk=register.pk).update(busy_until=None)


def _later(receipt: FiscalReceipt, now: datetime, error: str = "") -> None:
    attempts = receipt.attempts + 1
    FiscalReceipt.objects.filter(pk=receipt.pk).update(
        attempts=attempts, next_try_at=now + backoff(attempts), error=error
    )


def _error(receipt: FiscalReceipt, now: datetime, reason: str) -> None:
    FiscalReceipt.objects.filter(pk=receipt.pk).update(
        status=FiscalReceipt.Status.ERROR,
        error=reason,
        attempts=receipt.attempts + 1,
        next_try_at=None,
    )


def _seen(receipt: FiscalReceipt, body: dict[str, Any], now: datetime, summary: Summary) -> None:
    """What GET /receipts/{id} said: DONE, ERROR, or still being made (ask again later)."""
    status = str(body.get("status", ""))
    offline = bool(body.get("is_created_offline"))
    if offline:
        noticed = CashRegister.objects.filter(
            pk=receipt.register_id, offline_since__isnull=True
        ).update(offline_since=now)
        if noticed:
            register = receipt.register
            staff_told(
                register,
                StoredText(
                    gettext_noop("Cash register of %(branch)s is working offline"),
                    branch=register.branch.name,
                ),
                StoredText(
                    gettext_noop(
                        "Checkbox makes its receipts offline; they reach the tax service when "
                        "it is back online (at most 36 hours offline)."
                    )
                ),
            )
        summary.add("offline")
    if status == "DONE":
        moved = FiscalReceipt.objects.filter(pk=receipt.pk, status=PENDING).update(
            status=FiscalReceipt.Status.DONE,
            checkbox_status=status,
            fiscal_code=str(body.get("fiscal_code") or "")[:100],
            tax_url=str(body.get("tax_url") or "")[:500],
            check_url=CHECK_PAGE.format(id=receipt.uuid),
            offline=offline,
            error="",
            done_at=now,
            next_try_at=None,
        )
        if not offline:
            CashRegister.objects.filter(pk=receipt.register_id).update(offline_since=None)
        if moved:
            _client_told(receipt, CHECK_PAGE.format(id=receipt.uuid), str(body.get("fiscal_code")))
        summary.add("done")
    elif status == "ERROR":
        tx = body.get("transaction") or {}
        reason = str(
            tx.get("response_error_message")
            or tx.get("response_status")
            or _("Refused by the tax service.")
        )
        FiscalReceipt.objects.filter(pk=receipt.pk, status=PENDING).update(
            status=FiscalReceipt.Status.ERROR,
            checkbox_status=status,
            error=reason,
            next_try_at=None,
        )
        summary.add("error")
    else:
        attempts = receipt.attempts + 1
        FiscalReceipt.objects.filter(pk=receipt.pk).update(
            checkbox_status=status[:20], attempts=attempts, next_try_at=now + backoff(attempts)
        )
        summary.add("processing")


def _client_told(receipt: FiscalReceipt, link: str, fiscal_code: str) -> None:
    """The client gets the receipt's page by message (once: the key is the receipt's id)."""
    client = receipt.client
    if client is None:
        return
    organization = receipt.register.organization
    message_send(
        organization=organization,
        event=RETURN_RECEIPT_READY if receipt.kind == FiscalReceipt.Kind.RETURN else RECEIPT_READY,
        variables={
            "client": client,
            "amount": format_money(receipt.amount, organization.currency, organization.language),
            "link": link,
            "fiscal_code": fiscal_code,
        },
        actor=ACTOR,
        client=client,
        related=receipt,
        idempotency_key=f"fiscal_receipt:{receipt.uuid}",
    )


def _post(
    receipts: list[FiscalReceipt], client: CheckboxClient, now: datetime, summary: Summary
) -> None:
    for receipt in receipts:
        original = receipt.original
        if original is not None and original.status != FiscalReceipt.Status.DONE:
            _later(receipt, now, _("Waiting for the sale's receipt."))  # a return follows it
            summary.add("waiting")
            continue
        try:
            sold = client.receipt_sell(receipt_body(receipt))
        except CheckboxError as exc:
            if exc.temporary:
                _later(receipt, now, exc.message)
                summary.add("later")
                return  # Checkbox is down: the rest wait, so they go out in order
            _error(receipt, now, exc.message)
            summary.add("refused")
            if exc.credentials:
                return
            continue
        FiscalReceipt.objects.filter(pk=receipt.pk).update(posted_at=now, next_try_at=now)
        receipt.posted_at = now
        summary.add("already_exists" if sold.already_exists else "posted")


def _poll(
    receipts: list[FiscalReceipt], client: CheckboxClient, now: datetime, summary: Summary
) -> None:
    for receipt in receipts:
        try:
            body = client.receipt_get(str(receipt.uuid))
        except CheckboxError as exc:
            _later(receipt, now, exc.message)
            summary.add("later")
            if exc.temporary:
                return
            continue
        _seen(receipt, body, now, summary)


def _shift_failed_wait(
    register: CashRegister, receipts: list[FiscalReceipt], now: datetime
) -> None:
    """A shift that could not open is tried again with the receipts' backoff, not every
    tick (one still opening is looked at again on the next tick)."""
    latest = Shift.objects.filter(register=register).order_by("-id").first()
    if latest is None or latest.status != Shift.Status.FAILED:
        return
    for receipt in receipts:
        attempts = receipt.attempts + 1
        FiscalReceipt.objects.filter(pk=receipt.pk).update(
            attempts=attempts, next_try_at=now + backoff(attempts), error=latest.error
        )


def register_send(register: CashRegister, now: datetime, summary: Summary) -> None:
    due: list[FiscalReceipt] = list(
        FiscalReceipt.objects.filter(register=register, status=PENDING, next_try_at__lte=now)
        .select_related("original", "client")
        .order_by("id")[:BATCH]
    )
    if not due:
        return
    for receipt in due:
        receipt.register = register  # its organization is loaded once, with the register
    with register_client(register) as client:
        try:
            client.signin()
        except CheckboxError as exc:
            reason = _("Checkbox refused the cashier's sign-in: %(m)s") % {"m": exc.message}
            CashRegister.objects.filter(pk=register.pk).update(last_error=reason)
            ids = [r.pk for r in due]
            if exc.temporary:  # wait, all of them
                FiscalReceipt.objects.filter(pk__in=ids).update(
                    next_try_at=now + backoff(1), error=reason
                )
            else:  # wrong key or password: shown to staff now, not queued forever
                FiscalReceipt.objects.filter(pk__in=ids).update(
                    status=FiscalReceipt.Status.ERROR, error=reason, next_try_at=None
                )
            summary.add("signin_failed")
            return
        new = [r for r in due if r.posted_at is None]
        if new:
            if shift_ready(register, client, now) is None:
                summary.add("shift_not_open")
                _shift_failed_wait(register, new, now)
            else:
                _post(new, client, now, summary)
        _poll([r for r in due if r.posted_at is not None], client, now, summary)


def receipts_send(now: datetime) -> str:
    """Post the due receipts of every register and follow the posted ones."""
    summary = Summary()
    with unscoped():
        registers = set(
            FiscalReceipt.objects.filter(status=PENDING, next_try_at__lte=now)
            .order_by()
            .values_list("register_id", flat=True)
            .distinct()
        )
        for register_id in sorted(registers):
            register = register_claim(register_id, now)
            if register is None:
                summary.add("busy")
                continue
            try:
                register_send(register, now, summary)
            finally:
                register_release(register)
    return summary.text()


def shifts_close(now: datetime) -> str:
    """Close the open shifts whose closing time has come; follow the closing ones."""
    summary = Summary()
    with unscoped():
        live = list(
            Shift.objects.filter(status__in=[Shift.Status.OPENED, Shift.Status.CLOSING])
            .select_related("register", "register__organization")
            .order_by("id")
        )
        for shift in live:
            register = shift.register
            zone = organization_zone(register.organization)
            if shift.status == Shift.Status.OPENED and not shift_close_due(
                register, shift, now, zone
            ):
                continue
            claimed = register_claim(register.pk, now)
            if claimed is None:
                summary.add("busy")
                continue
            try:
                with register_client(claimed) as client:
                    try:
                        client.signin()
                    except CheckboxError as exc:
                        Shift.objects.filter(pk=shift.pk).update(error=exc.message)
                        summary.add("signin_failed")
                        continue
                    if shift.status == Shift.Status.OPENED:
                        summary.add(shift_close(claimed, shift, client, now))
                    else:
                        shift.register = claimed
                        summary.add(shift_closing_poll(shift, client, now))
            finally:
                register_release(claimed)
    return summary.text()


def shift_close_now(register: CashRegister, now: datetime) -> str:
    """Staff's "Close the shift": the job's close, now, under the register's claim (so it
    never runs beside a tick posting receipts to the same shift). What happened, in a word:
    "closed", "closing" (Checkbox still writing the Z-report; the job follows it), "failed"
    (Checkbox's reason is on the shift), "signin_failed", "busy" (a tick holds the register),
    "none" (no open shift), "taken" (another close won)."""
    shift = shift_live(register)
    if shift is None or shift.status != Shift.Status.OPENED:
        return "none"
    claimed = register_claim(register.pk, now)
    if claimed is None:
        return "busy"
    try:
        with register_client(claimed) as client:
            try:
                client.signin()
            except CheckboxError as exc:
                Shift.objects.for_org(register.organization_id).filter(pk=shift.pk).update(
                    error=exc.message
                )
                return "signin_failed"
            return shift_close(claimed, shift, client, now)
    finally:
        register_release(claimed)
