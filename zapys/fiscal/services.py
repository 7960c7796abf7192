"""Writes of the fiscal app: cash registers, asking for a receipt, retrying one.

Sending and polling are in `sending.py`, shifts in `shifts.py` (both driven by `jobs.py`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.accounts.models import Branch
from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.prepared import PreparedQuery
from zapys.core.stored_text import StoredText, TextOrStored, text_split
from zapys.fiscal.checkbox import CheckboxClient, CheckboxError
from zapys.fiscal.models import CashRegister, FiscalReceipt
from zapys.ledger.hooks import MoneyMoved
from zapys.ledger.models import PaymentType
from zapys.messaging.services import staff_notify
from zapys.payments.models import Payment

#: Payment-method name on the receipt, from the approved list (since 1 March 2025 free text
#: such as "Передплата" is refused): online payments are card payments.
CARD_LABEL = "Картка"
PAYMENT_TYPE = "CASHLESS"
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … at most an hour between tries."""
    return min(timedelta(seconds=30) * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


# --- registers ---------------------------------------------------------------------------


def register_client(register: CashRegister) -> CheckboxClient:
    creds = register.credentials
    return CheckboxClient(
        license_key=str(creds.get("license_key", "")),
        login=str(creds.get("login", "")),
        password=str(creds.get("password", "")),
        pin=str(creds.get("pin", "")),
        base_url=register.base_url,
    )


@transaction.atomic
def register_save(
    *,
    organization: Any,
    branch: Branch,
    actor: Actor,
    license_key: str = "",
    login: str = "",
    password: str = "",
    pin: str = "",
    base_url: str = "",
    close_shift_at: time | None = None,
    is_active: bool = True,
    fiscalise_card: bool | None = None,
) -> CashRegister:
    """Create the branch's register, or change it. A secret left empty keeps the stored one
    (staff never see them again, so they cannot retype what they do not know)."""
    if branch.organization_id != organization.pk:
        raise DomainError(_("An object of another organization was given."), field="branch_id")
    register = (
        CashRegister.objects.for_org(organization).select_for_update().filter(branch=branch).first()
    )
    creating = register is None
    stored = register.credentials if register is not None else {}
    creds = {
        "license_key": license_key.strip() or stored.get("license_key", ""),
        "login": login.strip() or stored.get("login", ""),
        "password": password or stored.get("password", ""),
        "pin": pin.strip() or stored.get("pin", ""),
    }
    if not creds["license_key"]:
        raise DomainError(_("Enter the cash register's licence key."), field="license_key")
    if not creds["pin"] and not (creds["login"] and creds["password"]):
        raise DomainError(
            _("Enter the cashier's login and password, or the PIN."), field="cashier_login"
        )
    if register is None:
        register = CashRegister(organization=organization, branch=branch)
    register.set_credentials(creds)
    register.base_url = base_url.strip()
    register.is_active = is_active
    if close_shift_at is not None:
        register.close_shift_at = close_shift_at
    if fiscalise_card is not None:
        register.fiscalise_card = fiscalise_card
    register.last_error = ""
    register.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="cash_register.create" if creating else "cash_register.update",
        obj=register,
        # Which secrets changed, never their values.
        changes={
            "branch": [None, branch.pk] if creating else branch.pk,
            "credentials": sorted(k for k in creds if creds[k] != stored.get(k, "")),
            "fiscalise_card": register.fiscalise_card,
        },
    )
    return register


def register_check(register: CashRegister) -> tuple[bool, str]:
    """'Check connection': sign the cashier in and read the register. Nothing is written
    at Checkbox; what a person should read comes back."""
    try:
        with register_client(register) as client:
            client.signin()
            info = client.cash_register()
    except CheckboxError as exc:
        if exc.credentials:
            return False, _("Checkbox refused the licence key or the cashier's sign-in: %(m)s") % {
                "m": exc.message
            }
        return False, _("Checkbox answered with an error: %(m)s") % {"m": exc.message}
    number = info.get("fiscal_number") or info.get("id") or ""
    if info.get("offline_mode"):
        return True, _("Connected; register %(n)s is working offline.") % {"n": number}
    return True, _("Connected; register %(n)s is online.") % {"n": number}


def staff_told(
    register: CashRegister, title: str | StoredText, body: str | StoredText = ""
) -> None:
    """A warning for the team (the bell and the staff chat). A `StoredText` reads in each
    reader's language; a plain string (Checkbox's own words) is shown as it came."""
    staff_notify(
        organization=register.organization,
        title=title,
        body=body,
        related=register,
        url=reverse("fiscal:receipts"),
        level="warning",
    )


# --- asking for a receipt (ledger.hooks.on_money_moved) ------------------------------------


def _payment_of(organization_id: int, cause_type: str, cause_id: str) -> int | None:
    if cause_type == "payments.payment":
        return int(cause_id)
    if not cause_type:
        return None
    return (
        Payment.objects.for_org(organization_id)
        .filter(purpose_type=cause_type, purpose_id=cause_id)
        .exclude(status__in=["created", "pending", "failed", "expired"])
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


#: The language of what the tax service receives: a fiscal receipt is Ukrainian, whatever
#: the language of the page or callback that moved the money.
RECEIPT_LANGUAGE = "uk"


def _in_receipt_language(name: TextOrStored) -> str:
    """A line's name as the fiscal receipt prints it: a name the system wrote ("Balance
    top-up", a `StoredText`) in Ukrainian, a name the salon typed as typed."""
    with translation.override(RECEIPT_LANGUAGE):
        return text_split(name)[0]


def _payment_word() -> str:
    """The receipt's one line when the lines do not add up to the money (Ukrainian)."""
    return _in_receipt_language(StoredText(gettext_noop("Payment")))


def _sale_goods(
    operation_id: int, lines: tuple[tuple[TextOrStored, int], ...], amount: int
) -> list:
    named = [(_in_receipt_language(name), price) for name, price in lines]
    if sum(price for _name, price in named) != amount or not named:
        named = [(named[0][0] if named else _payment_word(), amount)]
    return [
        {
            "good": {"code": f"Z{operation_id}-{n}", "name": name[:250], "price": price},
            "quantity": 1000,
            "is_return": False,
        }
        for n, (name, price) in enumerate(named, start=1)
    ]


def _return_goods(original: FiscalReceipt, amount: int) -> list:
    if amount == original.amount:
        return [{**good, "is_return": True} for good in original.goods]
    first = original.goods[0]["good"] if original.goods else {"code": "R", "name": _payment_word()}
    return [
        {
            "good": {"code": first["code"], "name": first["name"], "price": amount},
            "quantity": 1000,
            "is_return": True,
        }
    ]


#: Money that may get a receipt here: online always, card when the branch's register says so.
FISCALISED_METHODS = (PaymentType.Method.ONLINE, PaymentType.Method.CARD)


# Asked on every card or online payment (a checkout, a callback): compiled once
# (core/prepared.py).
_ACTIVE_REGISTER: PreparedQuery[CashRegister] = PreparedQuery(
    lambda s: CashRegister.objects.for_org(s.org()).filter(
        branch_id=s.number("branch"), is_active=True
    )[:1]
)


def receipt_ask(moved: MoneyMoved) -> FiscalReceipt | None:
    """A pending receipt for money moved online (or by card at the desk, where the branch's
    register asks for it: `fiscalise_card`) in a branch with an active register, written
    in the money's own transaction. A refund gets a return linked to the sale's receipt;
    money never fiscalised (no sale receipt) gets no return."""
    operation = moved.operation
    payment_type = operation.payment_type
    if payment_type is None or payment_type.method not in FISCALISED_METHODS:
        return None
    org_id = operation.organization_id
    if operation.branch_id is None:
        return None  # a register belongs to a branch
    register = _ACTIVE_REGISTER.first(org=org_id, branch=operation.branch_id)
    if register is None:
        return None
    if payment_type.method == PaymentType.Method.CARD and not register.fiscalise_card:
        return None  # the branch's terminal fiscalises its card payments itself
    original = None
    if moved.direction == "in":
        kind, goods = (
            FiscalReceipt.Kind.SELL,
            _sale_goods(operation.pk, moved.lines, operation.amount),
        )
    else:
        original = (
            FiscalReceipt.objects.for_org(org_id)
            .filter(
                kind=FiscalReceipt.Kind.SELL,
                cause_type=operation.cause_type,
                cause_id=operation.cause_id,
            )
            .exclude(cause_type="")
            .order_by("-id")
            .first()
        )
        if original is None:
            return None
        kind, goods = FiscalReceipt.Kind.RETURN, _return_goods(original, operation.amount)
    receipt = FiscalReceipt(
        organization_id=org_id,
        register=register,
        kind=kind,
        original=original,
        operation=operation,
        payment_id=_payment_of(org_id, operation.cause_type, operation.cause_id),
        client_id=operation.client_id,
        cause_type=operation.cause_type,
        cause_id=operation.cause_id,
        amount=operation.amount,
        goods=goods,
        next_try_at=timezone.now(),
    )
    try:
        with transaction.atomic():  # a second ask for the same movement changes nothing
            receipt.save()
    except IntegrityError:
        return None
    return receipt


def receipt_body(receipt: FiscalReceipt) -> dict[str, Any]:
    """What is posted, built from stored fields only: every retry sends the same body."""
    body: dict[str, Any] = {
        "id": str(receipt.uuid),
        "goods": receipt.goods,
        "payments": [{"type": PAYMENT_TYPE, "value": receipt.amount, "label": CARD_LABEL}],
    }
    if receipt.original is not None:
        body["related_receipt_id"] = str(receipt.original.uuid)
    return body


# --- staff actions ----------------------------------------------------------------------


@transaction.atomic
def receipt_retry(*, receipt: FiscalReceipt, actor: Actor, now: datetime | None = None) -> None:
    """A failed receipt goes out again with the same id: Checkbox answers an id it has seen
    with the receipt it made, so a retry never makes a second one."""
    now = now or timezone.now()
    moved = (
        FiscalReceipt.objects.for_org(receipt.organization_id)
        .filter(pk=receipt.pk, status=FiscalReceipt.Status.ERROR)
        .update(status=FiscalReceipt.Status.PENDING, attempts=0, next_try_at=now)
    )
    if not moved:
        raise Conflict(_("Only a receipt that failed can be sent again."))
    audit_record(
        organization=receipt.organization,
        actor=actor,
        action="fiscal_receipt.retry",
        obj=receipt,
        changes={"status": ["error", "pending"]},
    )
    receipt.refresh_from_db()
