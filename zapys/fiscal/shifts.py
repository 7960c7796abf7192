"""Shifts at Checkbox: opened before the first receipt, closed at the register's time.

Checkbox opens a shift asynchronously (`POST /shifts` → CREATED, then OPENED, or CLOSED with
the reason when it could not open), so nothing here waits: each step stores what came back
and the next tick goes on. A live shift is one row per register (a partial unique
constraint), and a close is claimed by a conditional UPDATE (opened → closing): with several
workers a shift is opened once and closed once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.core.audit import Actor, audit_record
from zapys.core.stored_text import StoredText
from zapys.fiscal.checkbox import CheckboxClient, CheckboxError
from zapys.fiscal.models import CashRegister, Shift
from zapys.fiscal.services import staff_told

LIVE = [Shift.Status.OPENING, Shift.Status.OPENED, Shift.Status.CLOSING]
ACTOR = Actor.scheduler("fiscal")


def _reason(body: dict[str, Any], key: str) -> str:
    tx = body.get(key) or {}
    return str(tx.get("response_error_message") or tx.get("response_status") or "")


def _audit(shift: Shift, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        organization=shift.register.organization,
        actor=ACTOR,
        action=action,
        obj=shift,
        changes=changes,
    )


def shift_live(register: CashRegister) -> Shift | None:
    return (
        Shift.objects.for_org(register.organization_id)
        .filter(register=register, status__in=LIVE)
        .first()
    )


def _opening_seen(shift: Shift, body: dict[str, Any], now: datetime) -> Shift | None:
    status = str(body.get("status", ""))
    if status == "OPENED":
        Shift.objects.for_org(shift.organization_id).filter(pk=shift.pk).update(
            status=Shift.Status.OPENED, opened_at=now, error=""
        )
        shift.status, shift.opened_at = Shift.Status.OPENED, now
        _audit(shift, "shift.opened", {"status": ["opening", "opened"]})
        return shift
    if status == "CLOSED":  # it could not open: the reason is in the opening transaction
        # Checkbox's own words as they came; ours read in each reader's language.
        reason: str | StoredText = _reason(body, "initial_transaction") or StoredText(
            gettext_noop("Checkbox could not open the shift.")
        )
        _failed(shift, reason)
    return None


def _failed(shift: Shift, reason: str | StoredText) -> None:
    # The shift and the register keep the reason as text (the fiscal pages show it); the
    # staff notification keeps a `StoredText` so each reader sees it in their language.
    told = reason
    if isinstance(reason, StoredText):
        with translation.override(shift.register.organization.language or None):
            reason = reason.render()
    Shift.objects.for_org(shift.organization_id).filter(pk=shift.pk).update(
        status=Shift.Status.FAILED, error=reason
    )
    CashRegister.objects.for_org(shift.organization_id).filter(pk=shift.register_id).update(
        last_error=reason
    )
    shift.status, shift.error = Shift.Status.FAILED, reason
    _audit(shift, "shift.failed", {"status": ["opening", "failed"], "error": [None, reason]})
    register = shift.register
    staff_told(
        register,
        StoredText(
            gettext_noop("Shift of %(branch)s could not be opened"), branch=register.branch.name
        ),
        told,
    )


def shift_ready(register: CashRegister, client: CheckboxClient, now: datetime) -> Shift | None:
    """The open shift to sell in, or None while one is opening (or could not open)."""
    shift = shift_live(register)
    if shift is None:
        try:
            with transaction.atomic():
                shift = Shift.objects.create(
                    organization_id=register.organization_id,
                    register=register,
                    status=Shift.Status.OPENING,
                )
        except IntegrityError:
            return None  # another worker is opening it
        shift.register = register
        try:
            body = client.shift_open()
        except CheckboxError as exc:
            _failed(shift, exc.message)
            return None
        shift.checkbox_id = str(body.get("id", ""))
        Shift.objects.for_org(register.organization_id).filter(pk=shift.pk).update(
            checkbox_id=shift.checkbox_id
        )
        if body.get("status") == "OPENED":
            return _opening_seen(shift, body, now)
    shift.register = register
    if shift.status == Shift.Status.OPENED:
        return shift
    if shift.status == Shift.Status.OPENING and shift.checkbox_id:
        try:
            return _opening_seen(shift, client.shift_get(shift.checkbox_id), now)
        except CheckboxError:
            return None
    return None


def shift_close_due(register: CashRegister, shift: Shift, now: datetime, zone: Any) -> bool:
    """Due when the register's closing time of today has passed since it opened, or it
    opened on an earlier day (a shift must close the same day)."""
    local = now.astimezone(zone)
    opened = (shift.opened_at or shift.created_at).astimezone(zone)
    closing = datetime.combine(local.date(), register.close_shift_at, tzinfo=zone)
    return opened.date() < local.date() or opened < closing <= local


def shift_close(register: CashRegister, shift: Shift, client: CheckboxClient, now: datetime) -> str:
    """Close the shift once: the conditional UPDATE opened → closing decides who does."""
    won = (
        Shift.objects.for_org(register.organization_id)
        .filter(pk=shift.pk, status=Shift.Status.OPENED)
        .update(status=Shift.Status.CLOSING)
    )
    if not won:
        return "taken"
    shift.register = register
    try:
        body = client.shift_close()
    except CheckboxError as exc:
        Shift.objects.for_org(register.organization_id).filter(pk=shift.pk).update(
            status=Shift.Status.OPENED, error=exc.message
        )
        _audit(shift, "shift.close_failed", {"error": [None, exc.message]})
        return "failed"
    shift.status = Shift.Status.CLOSING
    return shift_closing_poll(shift, client, now, body)


def shift_closing_poll(
    shift: Shift, client: CheckboxClient, now: datetime, body: dict[str, Any] | None = None
) -> str:
    if body is None or body.get("status") != "CLOSED":
        try:
            body = client.shift_get(shift.checkbox_id)
        except CheckboxError:
            return "closing"
    status = body.get("status")
    if status == "CLOSED":
        moved = (
            Shift.objects.for_org(shift.organization_id)
            .filter(pk=shift.pk, status=Shift.Status.CLOSING)
            .update(
                status=Shift.Status.CLOSED, closed_at=now, z_report=body.get("z_report"), error=""
            )
        )
        if moved:
            _audit(shift, "shift.closed", {"status": ["closing", "closed"]})
        return "closed"
    if status == "OPENED":  # the close failed at Checkbox: the reason is in its transaction
        reason = _reason(body, "closing_transaction") or _("Checkbox could not close the shift.")
        Shift.objects.for_org(shift.organization_id).filter(
            pk=shift.pk, status=Shift.Status.CLOSING
        ).update(status=Shift.Status.OPENED, error=reason)
        _audit(shift, "shift.close_failed", {"error": [None, reason]})
        return "failed"
    return "closing"
