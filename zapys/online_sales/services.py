"""Writes of online membership sales (O1–O5, X10): settings, plans on sale, a purchase from
the public page to its money, attaching it to a client, refunding it.

Money goes only through `ledger.money`: the buyer's money is recorded when the provider
confirms it (`money_received_unassigned`: the till's income and a receipt, no client yet);
attaching writes the client's membership as sold "paid" from that money
(`memberships.prepaid.membership_sell_prepaid` → `money_assign_to_client`): counted once.
A refund reverses what is there: the attached membership is cancelled with its entries (its
payment's income goes with them), or the unattached money's income and receipt payment are
cancelled (`money_unassigned_cancel`).

Every change of a sale's status is a conditional UPDATE on the locked row, so a replayed
callback, a second tab or two staff attaching the same code at once change it once.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, override

from zapys.accounts.models import Branch, Organization
from zapys.catalog.models import Group
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone
from zapys.clients.services import client_create
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError, NotFound
from zapys.core.money import Money, format_money, percent_of
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import organization_zone
from zapys.core.text import clean_line
from zapys.ledger.models import Entry
from zapys.ledger.money import (
    SoldLine,
    UnassignedMoney,
    money_received_unassigned,
    money_refunded_record,
    money_unassigned_cancel,
)
from zapys.ledger.services import LedgerWrite, entry_create
from zapys.memberships.models import ClientMembership, MembershipPlan
from zapys.memberships.prepaid import groups_check, membership_sell_prepaid
from zapys.memberships.services import membership_cancel, validity_end
from zapys.messaging.services import message_send
from zapys.online_sales.codes import code_new, code_normalise
from zapys.online_sales.events import PURCHASED
from zapys.online_sales.models import OnlineSale, OnlineSalesSettings, PlanOnline
from zapys.payments.models import Payment, PaymentAccount, PaymentRefund
from zapys.payments.services import notify_staff, payment_create, payment_refund
from zapys.schedule import services as schedule
from zapys.schedule.models import Attendance, Visit

logger = logging.getLogger(__name__)

PURPOSE = "online_sale"
S = OnlineSale.Status
STYLE_FIELDS = (
    "text_color",
    "text_size",
    "bold",
    "background",
    "border_color",
    "border_width",
    "radius",
    "width",
    "height",
)
#: Bounds of the button's numbers, shared by the forms and the API schemas.
STYLE_BOUNDS = {
    "text_size": (8, 48),
    "border_width": (0, 20),
    "radius": (0, 100),
    "width": (40, 800),
    "height": (20, 200),
}
MAX_COMMISSION = Decimal(50)
#: What the ledger comments and the staff notice said before they named the sale by what
#: was bought instead of the payment's number: rows stored then keep these msgids and
#: their parameters, so the catalogue keeps them (marked here for `makemessages`).
FORMER_TEXTS = (
    gettext_noop("Payment #%(p)s arrived for an online sale that does not await it."),
    gettext_noop("Online sale: %(plan)s, payment #%(p)s"),
    gettext_noop("Online sale %(code)s, payment #%(p)s"),
    gettext_noop("Part of online sale %(code)s refunded, payment #%(p)s"),
    # The unattached sale's money, before it named the sale by its activation code.
    gettext_noop("Online sale: %(plan)s"),
    # Notices that said "the client's account" and "payment provider" (now "balance" and
    # "payment service", as the rest of the product says).
    gettext_noop("An online sale was refunded at the payment provider"),
    gettext_noop(
        "%(amount)s of the purchase %(code)s went back to the buyer; it is recorded as a "
        "refund on the client's account. The membership stays active."
    ),
    gettext_noop(
        "%(amount)s of the purchase %(code)s went back to the buyer; it will be recorded on "
        "the client's account when the purchase is attached."
    ),
)
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


# --------------------------------------------------------------------------- settings


def online_settings_get(organization: Organization) -> OnlineSalesSettings:
    """The organization's row (created with the defaults on first read)."""
    row = OnlineSalesSettings.objects.for_org(organization).first()
    if row is None:
        row, _created = OnlineSalesSettings.objects.for_org(organization).get_or_create(
            organization=organization
        )
    return row


def _clean_style(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name in STYLE_FIELDS:
        if name not in fields or fields[name] is None:
            continue
        value = fields[name]
        if name in ("text_color", "background", "border_color"):
            if not isinstance(value, str) or not _COLOR.match(value.strip()):
                raise DomainError(_("Enter a colour like #1a2b3c."), field=name)
            value = value.strip().lower()
        elif name == "bold":
            value = bool(value)
        else:
            low, high = STYLE_BOUNDS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise DomainError(
                    _("Enter a whole number from %(low)s to %(high)s.")
                    % {"low": low, "high": high},
                    field=name,
                )
        cleaned[name] = value
    return cleaned


def _clean_percent(value: Any) -> Decimal:
    try:
        percent = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a percentage."), field="commission_percent") from exc
    if not percent.is_finite() or not Decimal(0) <= percent <= MAX_COMMISSION:
        raise DomainError(
            _("The commission is from 0 to %(max)s%%.") % {"max": MAX_COMMISSION},
            field="commission_percent",
        )
    if percent != percent.quantize(Decimal("0.01")):
        raise DomainError(_("At most two decimal places, e.g. 2.75."), field="commission_percent")
    return percent


@transaction.atomic
def online_settings_update(
    *, organization: Organization, actor: Actor, **fields: Any
) -> OnlineSalesSettings:
    """Change the module's settings (O1): only the given fields; `payment_account` and
    `branch` are objects (or None)."""
    row = online_settings_get(organization)
    allowed = {"enabled", "payment_account", "commission_percent", "auto_attach", "branch"}
    unknown = set(fields) - allowed - set(STYLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown setting."), field=sorted(unknown)[0])
    new = _clean_style(fields)
    for name in ("enabled", "auto_attach"):
        if fields.get(name) is not None:
            new[name] = bool(fields[name])
    if "commission_percent" in fields and fields["commission_percent"] is not None:
        new["commission_percent"] = _clean_percent(fields["commission_percent"])
    if "payment_account" in fields:
        account = fields["payment_account"]
        if account is not None and (
            account.organization_id != organization.pk or not account.is_active
        ):
            raise DomainError(
                _("This payment account is not available."), field="payment_account_id"
            )
        new["payment_account"] = account
    if "branch" in fields:
        branch = fields["branch"]
        if branch is not None and branch.organization_id != organization.pk:
            raise DomainError(_("Unknown branch."), field="branch_id")
        new["branch"] = branch
    enabled = new.get("enabled", row.enabled)
    account = new.get("payment_account", row.payment_account)
    if enabled and account is None:
        # Buyers would reach a page with nothing to pay with.
        raise DomainError(
            _("Choose the payment account that receives the money first."),
            field="payment_account_id",
        )
    before = {name: getattr(row, name) for name in new}
    for name, value in new.items():
        setattr(row, name, value)
    row.save()
    changes = changes_between(
        {k: getattr(v, "pk", v) for k, v in before.items()},
        {k: getattr(v, "pk", v) for k, v in new.items()},
    )
    if changes:
        audit_record(
            organization=organization,
            actor=actor,
            action="online_sales.settings_update",
            obj=row,
            changes=changes,
        )
    return row


def commission_for(price: int, percent: Decimal | str | int) -> int:
    """The payment service's commission the buyer pays on top of `price`: `percent` of it,
    half-up to the kopeck."""
    return percent_of(price, percent)


# --------------------------------------------------------------------------- plans on sale


def plan_online_get(plan: MembershipPlan) -> PlanOnline | None:
    return PlanOnline.objects.for_org(plan.organization_id).filter(plan=plan).first()


def plan_sellable_reason(plan: MembershipPlan) -> str:
    """Why a plan cannot be sold online, or "" when it can (O2: permanent plans only)."""
    if plan.kind != MembershipPlan.Kind.PERMANENT:
        return _("A one-off plan (such as a trial) cannot be sold online.")
    if plan.is_archived:
        return _("This plan is archived.")
    if plan.price <= 0:
        return _("A plan without a price cannot be sold online.")
    return ""


@transaction.atomic
def plan_online_update(
    *,
    plan: MembershipPlan,
    actor: Actor,
    sell_online: bool | None = None,
    button_text: str | None = None,
    button_text_en: str | None = None,
    **style: Any,
) -> PlanOnline:
    """Allow or stop the plan's online sale and set its button (O2). Allowing a plan that
    cannot be sold online (a one-off plan) is refused with the reason; the button's text is
    what a buyer clicks: left empty, "Buy “<plan>”" in the buyer's language."""
    unknown = set(style) - set(STYLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown setting."), field=sorted(unknown)[0])
    cleaned = _clean_style(style)
    organization = plan.organization
    # Whether the plan may be sold is decided on its row as it is now, locked: the caller's
    # copy (the staff page's list) may predate its archiving or its change to one-off.
    plan = (
        MembershipPlan.objects.for_org(organization).select_for_update(of=("self",)).get(pk=plan.pk)
    )
    row = PlanOnline.objects.for_org(organization).select_for_update().filter(plan=plan).first()
    created = row is None
    if row is None:
        defaults = online_settings_get(organization)
        row = PlanOnline(
            organization=organization,
            plan=plan,
            **{name: getattr(defaults, name) for name in STYLE_FIELDS},
        )
    texts = ("button_text", "button_text_en")
    before = (
        {"sell_online": row.sell_online}
        | {name: getattr(row, name) for name in texts}
        | {name: getattr(row, name) for name in cleaned}
    )
    if sell_online:
        reason = plan_sellable_reason(plan)
        if reason:
            raise DomainError(reason, field="sell_online", status=422)
        row.sell_online = True
    elif sell_online is not None:
        row.sell_online = False
    # Left empty, the button reads "Buy “<plan>”" in the buyer's language (PlanOnline.label):
    # a default stored here would be in the language of whoever saved it.
    if button_text is not None:
        row.button_text = clean_line(button_text)[:80]
    if button_text_en is not None:
        row.button_text_en = clean_line(button_text_en)[:80]
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.save()
    after = {"sell_online": row.sell_online} | {name: getattr(row, name) for name in texts}
    after |= cleaned
    changes = changes_between(before, after)
    if changes or created:
        audit_record(
            organization=organization,
            actor=actor,
            action="online_sales.plan_update",
            obj=plan,
            changes=changes,
        )
    return row


# --------------------------------------------------------------------------- buying


def _clean_email(value: str) -> str:
    email = clean_line(value or "").lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Enter a valid e-mail address."), field="email") from exc
    return email


@transaction.atomic
def online_sale_start(
    *,
    organization: Organization,
    plan: MembershipPlan,
    email: str,
    actor: Actor,
    phone: str = "",
    language: str = "uk",
) -> OnlineSale:
    """The buyer gave their e-mail (and phone) on the plan's page: a sale awaiting payment
    and its payment for price + commission, through the module's account."""
    # The plan as it is now (not locked: buyers of one plan must not wait for each other):
    # the caller's copy may predate its archiving or a new price.
    plan = MembershipPlan.objects.for_org(organization).get(pk=plan.pk)
    settings = online_settings_get(organization)
    online = plan_online_get(plan)
    if not settings.enabled or online is None or not online.sell_online:
        raise NotFound(_("This membership is not sold online."))
    if plan_sellable_reason(plan):
        raise NotFound(_("This membership is not sold online."))
    email = _clean_email(email)
    phone = normalize_phone(phone or "")
    commission = commission_for(plan.price, settings.commission_percent)
    sale = OnlineSale.objects.for_org(organization).create(
        organization=organization,
        plan=plan,
        plan_name=plan.name,
        email=email,
        phone=phone,
        price=plan.price,
        commission=commission,
        amount=plan.price + commission,
        currency=organization.currency,
        language=language if language in ("uk", "en") else "uk",
    )
    sale.payment = _new_payment(sale, settings.payment_account, actor, retry_of=None)
    sale.save(update_fields=["payment"])
    audit_record(
        organization=organization,
        actor=actor,
        action="online_sale.start",
        obj=sale,
        changes={
            "plan": [None, plan.pk],
            "amount": [None, sale.amount],
            "commission": [None, commission],
        },
    )
    return sale


def _new_payment(
    sale: OnlineSale, account: PaymentAccount | None, actor: Actor, retry_of: Payment | None
) -> Payment:
    with override(sale.language):
        description = _("Membership “%(plan)s”") % {"plan": sale.plan_name}
    return payment_create(
        organization=sale.organization,
        account=account,
        purpose=PURPOSE,
        purpose_object=sale,
        client=None,
        amount=sale.amount,
        currency=sale.currency,
        description=description,
        actor=actor,
        branch=online_settings_get(sale.organization).branch,
        retry_of=retry_of,
    )


def sale_for_payment(payment: Payment, *, lock: bool = False) -> OnlineSale | None:
    if payment.purpose_type != "online_sales.onlinesale" or not str(payment.purpose_id).isdigit():
        return None
    qs = OnlineSale.objects.for_org(payment.organization_id).filter(pk=payment.purpose_id)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.select_related("plan").first()


def _unique_code(organization_id: int) -> str:
    for _attempt in range(8):
        code = code_new()
        taken = OnlineSale.objects.for_org(organization_id).filter(activation_code=code)
        if not taken.exists():
            return code
    raise RuntimeError("no free activation code after 8 tries")  # 34 billion codes


def validity_text(plan: MembershipPlan) -> str:
    """ "1 month", "3 months", "30 days" — in the active language, with its plural forms."""
    n = plan.validity_value
    if plan.validity_unit == MembershipPlan.ValidityUnit.DAYS:
        return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


def validity_phrase(plan: MembershipPlan) -> str:
    """ "Valid for 1 month from activation": how long a bought membership lasts, said as a
    sentence. A bare "1 month" stood beside the plan's kind "Permanent" (a plan kept on sale,
    not a membership without an end) and read as a contradiction."""
    n = plan.validity_value
    if plan.validity_unit == MembershipPlan.ValidityUnit.DAYS:
        text = ngettext(
            "Valid for %(n)s day from activation", "Valid for %(n)s days from activation", n
        )
    else:
        text = ngettext(
            "Valid for %(n)s month from activation", "Valid for %(n)s months from activation", n
        )
    return text % {"n": n}


def terms_text(plan: MembershipPlan) -> str:
    """ "Valid for 1 month from activation · 8 visits": what a buyer gets, on the shop's pages
    and the staff list of plans."""
    return f"{validity_phrase(plan)} · {visits_text(plan)}"


def visits_text(plan: MembershipPlan) -> str:
    """ "8 visits" with its plural forms («8 відвідувань», «3 відвідування»)."""
    if plan.visits is None:
        return _("unlimited visits")
    return ngettext("%(n)s visit", "%(n)s visits", plan.visits) % {"n": plan.visits}


@transaction.atomic
def online_sale_paid(*, payment: Payment, actor: Actor) -> OnlineSale | None:
    """The provider confirmed the money (the purpose's `on_succeeded`, inside the payment's
    transaction, once per payment). The money is recorded now, with no client; the sale gets
    its activation code and the buyer the code by e-mail; X10 may attach it at once. A sale
    that is not awaiting this payment (a second attempt also paid, a forged purpose id)
    records nothing and tells the staff."""
    sale = sale_for_payment(payment, lock=True)
    if sale is None:
        logger.warning("online_sales: payment %s names no sale", payment.pk)
        return None
    organization = payment.organization
    if sale.status != S.PENDING or sale.payment_id != payment.pk or payment.amount != sale.amount:
        notify_staff(
            organization=organization,
            title=StoredText(gettext_noop("An online payment needs a look")),
            # The sale by what was bought and by whom: the bell links to the payment itself.
            body=StoredText(
                gettext_noop(
                    "%(amount)s arrived for an online sale that does not await it: "
                    "%(plan)s, %(email)s."
                ),
                amount=Money(payment.amount, payment.currency),
                plan=sale.plan_name,
                email=sale.email,
            ),
            related=payment,
        )
        return sale
    lines = [SoldLine(sale.plan_name, sale.price)]
    if sale.commission:
        lines.append(
            SoldLine(StoredText(gettext_noop("Payment service commission")), sale.commission)
        )
    # The code first: the money's comment names the sale by it, as an attached sale's does
    # («Онлайн-продаж 01S-HAXM: …»), so staff can match the row "no client yet" to the sale
    # waiting for a client (it said «Онлайн-продаж: Манікюр ×4», tour 6, #23).
    code = _unique_code(organization.pk)
    money = money_received_unassigned(
        organization=organization,
        amount=sale.amount,
        article="membership_sales",
        actor=actor,
        cause=sale,
        comment=StoredText(
            gettext_noop("Online sale %(code)s: %(plan)s"), code=code, plan=sale.plan_name
        ),
        sold=lines,
        branch=payment.branch if payment.branch_id else None,
    )
    now = timezone.now()
    sale.status, sale.paid_at = S.PAID, now
    sale.activation_code = code
    sale.operation, sale.receipt, sale.receipt_payment = (
        money.operation,
        money.receipt,
        money.receipt_payment,
    )
    sale.save(
        update_fields=[
            "status",
            "paid_at",
            "activation_code",
            "operation",
            "receipt",
            "receipt_payment",
        ]
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="online_sale.paid",
        obj=sale,
        changes={"status": [S.PENDING, S.PAID], "payment": payment.pk},
    )
    _send_code(sale, actor)
    notify_staff(
        organization=organization,
        title=StoredText(gettext_noop("Membership sold online: %(plan)s"), plan=sale.plan_name),
        body=StoredText(
            gettext_noop("%(email)s paid %(amount)s; activation code %(code)s."),
            email=sale.email,
            amount=Money(sale.amount, sale.currency),
            code=sale.activation_code,
        ),
        related=payment,
        level="success",
    )
    _auto_attach(sale, actor)
    return sale


def _send_code(sale: OnlineSale, actor: Actor) -> None:
    """The success page's summary and code, by e-mail through the outbox (once per sale)."""
    plan = sale.plan
    with override(sale.language):
        message_send(
            organization=sale.organization,
            event=PURCHASED,
            variables={
                "membership": sale.plan_name,
                "valid": validity_text(plan),
                "visits": visits_text(plan),
                "amount": format_money(sale.amount, sale.currency, sale.language),
                "code": sale.activation_code,
                "link": sale.success_url,
                "organization": {"name": sale.organization.name},
            },
            actor=actor,
            recipient=sale.email,
            channel="email",
            related=sale,
            idempotency_key=f"online_sale:{sale.pk}:code",
        )


def matching_clients(sale: OnlineSale) -> list[Client]:
    """X10: the living clients whose phone or e-mail is exactly the buyer's (at most two read:
    only "exactly one" matters)."""
    condition = Q(email__iexact=sale.email) if sale.email else Q(pk__in=[])
    if sale.phone:
        condition |= Q(phone=sale.phone)
    return list(
        Client.objects.for_org(sale.organization)
        .filter(condition, deleted_at__isnull=True)
        .order_by("id")[:2]
    )


def _auto_attach(sale: OnlineSale, actor: Actor) -> None:
    settings = online_settings_get(sale.organization)
    if not settings.auto_attach:
        return
    found = matching_clients(sale)
    if len(found) != 1:
        return  # none, or two: the activation code is the way (O4)
    try:
        # A savepoint only here: an attach refused (an archived plan since) leaves the money
        # recorded and the sale paid, for the staff to attach by code.
        with transaction.atomic():
            _attach(sale, client=found[0], actor=actor, starts_on=None, groups=(), auto=True)
    except DomainError as exc:
        logger.info("online_sales: auto-attach of sale %s refused: %s", sale.pk, exc.detail)


# --------------------------------------------------------------------------- attaching


def sale_by_code(organization: Organization, code: str) -> OnlineSale:
    """The sale a typed or scanned code names, or a clear DomainError."""
    normal = code_normalise(code)
    sale = (
        OnlineSale.objects.for_org(organization)
        .filter(activation_code=normal)
        .select_related("plan")
        .first()
        if normal
        else None
    )
    if sale is None:
        raise NotFound(_("No purchase has this activation code."), field="code")
    return sale


def _sale_locked(sale: OnlineSale) -> OnlineSale:
    """The sale's row as it is now, locked until the transaction ends: the caller's copy may
    predate a payment, an attach or a refund that arrived meanwhile (a provider's callback,
    a second tab), and every decision follows the row's status, not the copy's."""
    return (
        OnlineSale.objects.for_org(sale.organization_id)
        .select_for_update(of=("self",))  # the payment and the plan are read, not locked
        .select_related("plan", "payment")
        .get(pk=sale.pk)
    )


def _refuse_unless_paid(sale: OnlineSale) -> None:
    if sale.status == S.ATTACHED:
        raise Conflict(
            _("This code is already used: the membership is attached to a client."), field="code"
        )
    if sale.status == S.REFUNDED:
        raise Conflict(_("This purchase was refunded; the code is no longer valid."), field="code")
    if sale.status != S.PAID:
        raise Conflict(_("This purchase is not paid yet."), field="code")


def _groups(sale: OnlineSale, groups: Any) -> list[Group]:
    """The chosen groups, checked by memberships (the plan's organization and cover)."""
    return groups_check(plan=sale.plan, groups=list(groups))


def _attach(
    sale: OnlineSale,
    *,
    client: Client,
    actor: Actor,
    starts_on: date | None,
    groups: Any,
    auto: bool,
    lessons: Any = (),
) -> OnlineSale:
    locked = (
        OnlineSale.objects.for_org(sale.organization_id)
        .select_for_update(of=("self",))
        .select_related("plan", "operation", "receipt", "receipt_payment")
        .get(pk=sale.pk)
    )
    _refuse_unless_paid(locked)
    if client.organization_id != locked.organization_id:
        raise DomainError(_("An object of another organization was given."), field="client_id")
    chosen = _groups(locked, groups)
    if locked.operation is None or locked.receipt is None or locked.receipt_payment is None:
        raise Conflict(_("The money of this purchase was not recorded; ask the owner."))
    starts_on = starts_on or timezone.localdate()
    plan = locked.plan
    commission = StoredText(gettext_noop("Payment service commission"))
    fees = [(commission, locked.commission)] if locked.commission else []
    membership = membership_sell_prepaid(
        client=client,
        plan=plan,
        starts_on=starts_on,
        money=UnassignedMoney(locked.operation, locked.receipt, locked.receipt_payment),
        actor=actor,
        comment=StoredText(
            gettext_noop("Online sale %(code)s: %(plan)s"),
            code=locked.activation_code,
            plan=locked.plan_name,
        ),
        fees=fees,
        branch=locked.operation.branch,
        groups=chosen,
    )
    won = (
        OnlineSale.objects.for_org(locked.organization_id)
        .filter(pk=locked.pk, status=S.PAID)
        .update(
            status=S.ATTACHED,
            client=client,
            membership=membership,
            attached_at=timezone.now(),
            auto_attached=auto,
            attached_by=actor.user,
        )
    )
    if won != 1:  # the row is locked: only a bug gets here
        raise Conflict(_("This code is already used: the membership is attached to a client."))
    if chosen:
        locked.groups.set(chosen)
    booked = _book_lessons(locked, client, membership, chosen, list(lessons), actor)
    if booked:
        locked.lessons.set(booked)
    _refunded_before_attach(locked, membership, actor)
    audit_record(
        organization=client.organization,
        actor=actor,
        action="online_sale.attach",
        obj=locked,
        changes={
            "status": [S.PAID, S.ATTACHED],
            "client": [None, client.pk],
            "membership": [None, membership.pk],
            "auto": auto,
            "groups": [g.pk for g in chosen],
            "lessons": booked,
        },
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic
def online_sale_attach(
    *,
    sale: OnlineSale,
    client: Client,
    actor: Actor,
    starts_on: date | None = None,
    groups: Any = (),
    lessons: Any = (),
) -> OnlineSale:
    """Staff attach a paid purchase to a client (O4): the client's membership is sold "paid"
    from the held money, valid from `starts_on` (today by default), limited to the chosen
    groups, and the client booked into the chosen `lessons` of those groups. A used,
    refunded or unpaid code, or any lesson that cannot be booked, is refused and nothing
    changes; of two staff attaching the same code at once exactly one wins (the sale's row
    is locked)."""
    if starts_on is not None:
        validity_end(starts_on=starts_on, value=1, unit="days")  # a date, or it fails here
    return _attach(
        sale,
        client=client,
        actor=actor,
        starts_on=starts_on,
        groups=groups,
        auto=False,
        lessons=lessons,
    )


@transaction.atomic
def online_sale_attach_new_client(
    *,
    sale: OnlineSale,
    name: str,
    actor: Actor,
    starts_on: date | None = None,
    groups: Any = (),
    lessons: Any = (),
) -> OnlineSale:
    """Attach to a client created from the buyer's e-mail and phone (O4)."""
    # Decided on the row as it is now (a copy loaded before the payment arrived read
    # "not paid yet"), locked so no client is created for a code attached meanwhile.
    sale = _sale_locked(sale)
    _refuse_unless_paid(sale)
    if not clean_line(name or ""):
        raise DomainError(_("Enter the client's name."), field="name")
    client = client_create(
        organization=sale.organization, name=name, phone=sale.phone, email=sale.email, actor=actor
    )
    return _attach(
        sale,
        client=client,
        actor=actor,
        starts_on=starts_on,
        groups=groups,
        auto=False,
        lessons=lessons,
    )


def lesson_label(lesson: Visit, zone: Any) -> str:
    """ "Salsa, 5 грудня 2026, 18:00" in the organization's time."""
    return f"{lesson.title}, {date_format(lesson.starts_at.astimezone(zone), 'j E Y, H:i')}"


def _book_lessons(
    sale: OnlineSale,
    client: Client,
    membership: ClientMembership,
    groups: list[Group],
    lessons: list[Visit],
    actor: Actor,
) -> list[int]:
    """Book the client into the chosen lessons of the membership's groups, through the
    schedule's participant service (capacity, duplicates). Every lesson is tried, each in a
    savepoint, so staff see every refusal at once; any refusal raises one DomainError with
    an error per lesson and the caller's transaction undoes the whole attach."""
    if not lessons:
        return []
    group_ids = {group.pk for group in groups}
    zone = organization_zone(sale.organization)
    errors: list[dict[str, str]] = []
    booked: list[int] = []
    for lesson in dict.fromkeys(lessons):
        reason = ""
        day = lesson.starts_at.astimezone(zone).date()
        if lesson.organization_id != sale.organization_id:
            raise DomainError(_("An object of another organization was given."), field="lesson_ids")
        if lesson.kind != Visit.Kind.LESSON or lesson.group_id not in group_ids:
            reason = _("This is not a lesson of the chosen groups.")
        elif not lesson.blocks_time:
            reason = _("The lesson is cancelled.")
        elif lesson.starts_at <= timezone.now():
            reason = _("The lesson has already started.")
        elif not membership.starts_on <= day <= membership.ends_on:
            reason = _("The lesson is outside the membership's validity.")
        else:
            try:
                with transaction.atomic():
                    schedule.lesson_participant_add(visit=lesson, client=client, actor=actor)
            except DomainError as exc:
                reason = exc.detail
        if reason:
            label = lesson_label(lesson, zone)
            errors.append({"field": "lesson_ids", "message": f"{label}: {reason}"})
        else:
            booked.append(lesson.pk)
    if errors:
        raise DomainError(
            ngettext(
                "%(n)s lesson cannot be booked; nothing was saved.",
                "%(n)s lessons cannot be booked; nothing was saved.",
                len(errors),
            )
            % {"n": len(errors)},
            errors=errors,
            status=422,
        )
    return booked


# --------------------------------------------------------------------------- refunds


def online_sale_refund(*, sale: OnlineSale, actor: Actor) -> OnlineSale:
    """Refund the purchase to the buyer's card through the provider (O5). What was recorded
    is reversed when the provider confirms (`online_sale_refunded`), in the same step; a
    provider that declines leaves everything as it was (its error is raised)."""
    with transaction.atomic():
        # The row as it is now: the caller's copy may predate the payment (a retried card
        # paid since: it named the declined attempt) or a refund made meanwhile.
        locked = _sale_locked(sale)
        if locked.status not in (S.PAID, S.ATTACHED) or locked.payment is None:
            raise Conflict(_("Only a paid purchase can be refunded."), field="status")
        payment = locked.payment
    # Outside the transaction: no lock is held over the provider's HTTP call; the payment's
    # own lock (payment_refund) keeps a second refund from being asked beyond the paid amount.
    payment_refund(payment=payment, actor=actor)
    return OnlineSale.objects.for_org(sale.organization_id).get(pk=sale.pk)


def online_sale_refunded(*, payment: Payment, amount: int, actor: Actor) -> None:
    """The provider returned money (the purpose's `on_refunded`), whether staff asked from
    Zapys or someone refunded in the provider's own dashboard (payments records that the
    same way). A whole refund reverses the sale: an attached membership is cancelled with
    its entries (the seed's separate manual step), unattached money's income is cancelled.
    A part refund of an attached sale is recorded on the client's account through the money
    service (a refund entry and the till's expense, caused by the membership, so a later
    whole refund cancels them with it); of a sale not attached yet it is recorded when the
    sale is attached (`_refunded_before_attach`) — the money has no client until then.
    Staff are told of every refund they did not make themselves."""
    sale = sale_for_payment(payment, lock=True)
    if sale is None or sale.payment_id != payment.pk:
        return
    organization = payment.organization
    if payment.status != Payment.Status.REFUNDED:
        _part_refunded(sale, payment, amount, actor)
        return
    before = sale.status
    reason = _("Online sale refunded: %(plan)s") % {"plan": sale.plan_name}
    if sale.status == S.ATTACHED and sale.membership_id:
        membership = ClientMembership.objects.for_org(organization).get(pk=sale.membership_id)
        if membership.status == ClientMembership.Status.ACTIVE:
            membership_cancel(membership=membership, actor=actor, reason=reason)
        _cancel_bookings(sale, actor)
    elif sale.status == S.PAID and sale.operation_id:
        assert sale.receipt is not None and sale.receipt_payment is not None
        money_unassigned_cancel(
            money=UnassignedMoney(sale.operation, sale.receipt, sale.receipt_payment),  # type: ignore[arg-type]
            actor=actor,
            reason=reason,
        )
    else:
        return
    OnlineSale.objects.for_org(organization).filter(pk=sale.pk).update(
        status=S.REFUNDED, refunded_at=timezone.now()
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="online_sale.refunded",
        obj=sale,
        changes={"status": [before, S.REFUNDED], "amount": amount},
    )
    if actor.user is None:
        notify_staff(
            organization=organization,
            title=StoredText(gettext_noop("An online sale was refunded at the payment service")),
            body=StoredText(
                gettext_noop(
                    "%(amount)s of the purchase %(code)s went back to the buyer; the purchase is "
                    "reversed in Zapys."
                ),
                amount=Money(amount, payment.currency),
                code=sale.activation_code,
            ),
            related=payment,
        )


def _cancel_bookings(sale: OnlineSale, actor: Actor) -> None:
    """The bookings made when attaching that are still ahead and planned are cancelled (the
    membership that was to pay for them is); attended or past ones are history."""
    bookings = (
        Attendance.objects.for_org(sale.organization_id)
        .filter(
            client_id=sale.client_id,
            visit__in=sale.lessons.all(),
            visit__starts_at__gt=timezone.now(),
            state=Attendance.State.PLANNED,
        )
        .order_by("visit_id")
    )
    for attendance in bookings:
        schedule.attendance_mark(
            attendance=attendance, state=Attendance.State.CANCELLED, actor=actor
        )


def _part_refunded(sale: OnlineSale, payment: Payment, amount: int, actor: Actor) -> None:
    """Part of the purchase went back to the buyer (the sale's row is locked)."""
    organization = payment.organization
    recorded = False
    if sale.status == S.ATTACHED and sale.membership_id and sale.client_id:
        membership = ClientMembership.objects.for_org(organization).get(pk=sale.membership_id)
        _refund_on_account(sale, membership, amount, actor)
        recorded = True
    audit_record(
        organization=organization,
        actor=actor,
        action="online_sale.part_refunded",
        obj=sale,
        changes={"amount": amount, "recorded": recorded},
    )
    body = (
        gettext_noop(
            "%(amount)s of the purchase %(code)s went back to the buyer; it is recorded as a "
            "refund on the client's balance. The membership stays active."
        )
        if recorded
        else gettext_noop(
            "%(amount)s of the purchase %(code)s went back to the buyer; it will be recorded on "
            "the client's balance when the purchase is attached."
        )
    )
    notify_staff(
        organization=organization,
        title=StoredText(gettext_noop("Part of an online sale was refunded")),
        body=StoredText(body, amount=Money(amount, payment.currency), code=sale.activation_code),
        related=payment,
    )


def _refund_on_account(
    sale: OnlineSale,
    membership: ClientMembership,
    amount: int,
    actor: Actor,
    *,
    at: datetime | None = None,
) -> None:
    """A part of the purchase went back to the buyer, on the membership's account, in one
    ledger write: the money service's refund (a refund entry and the till's expense) and
    the membership's price lowered by as much (a correction entry). The client keeps the
    membership as sold and paid less for it, so a part refund is not a debt: the refund
    alone left −amount on the client's balance and the cabinet read "you owe". A debt
    comes only from what the client is charged beyond what they paid (visits a
    membership does not cover), as for any client. Both entries are caused by the
    membership: a later whole refund (its cancellation) cancels them with it.

    `at`: when the money went back, for a refund confirmed before the purchase had a client
    (recorded at the attach): the rows are queued, then dated before they are inserted, so
    the refund keeps its own date in the ledger, the till and the reports."""
    write = LedgerWrite(organization=membership.organization, actor=actor)
    money = money_refunded_record(
        client=membership.client,
        amount=amount,
        actor=actor,
        cause=membership,
        comment=StoredText(
            gettext_noop("Part of online sale %(code)s refunded: %(plan)s"),
            code=sale.activation_code,
            plan=sale.plan_name,
        ),
        branch=membership.branch,
        account=membership.account,
        write=write,
    )
    lowered = entry_create(
        client=membership.client,
        kind=Entry.Kind.DEBIT,
        amount=amount,
        purpose=Entry.Purpose.CORRECTION,
        actor=actor,
        account=membership.account,
        cause=membership,
        comment=StoredText(
            gettext_noop("Membership price lowered by the part refund of online sale %(code)s"),
            code=sale.activation_code,
        ),
        branch=membership.branch,
        write=write,
    )
    if at is not None:
        for row in (money.entry, money.operation, lowered):
            if row is not None:
                row.created_at = at
    with transaction.atomic(savepoint=False):
        write.save()


def _refunded_before_attach(sale: OnlineSale, membership: ClientMembership, actor: Actor) -> None:
    """What went back to the buyer before the purchase had a client, recorded now on it,
    each refund with its own date (it was one entry of the total, dated at the attach).
    The sale's row is locked, so a refund confirmed meanwhile waits and is recorded after."""
    payment = (
        Payment.objects.for_org(sale.organization_id)
        .filter(pk=sale.payment_id)
        .only("refunded_amount")
        .first()
    )
    if payment is None or not payment.refunded_amount:
        return
    refunds = list(
        PaymentRefund.objects.for_org(sale.organization_id)
        .filter(payment_id=payment.pk, status=PaymentRefund.Status.SUCCEEDED)
        .order_by("created_at", "id")
        .values_list("amount", "confirmed_at", "created_at")
    )
    for amount, confirmed_at, created_at in refunds:
        _refund_on_account(sale, membership, amount, actor, at=confirmed_at or created_at)
    rest = payment.refunded_amount - sum(amount for amount, _c, _t in refunds)
    if rest > 0:  # a refund the provider reported without a row of ours: dated now
        _refund_on_account(sale, membership, rest, actor)


@transaction.atomic
def online_sale_retry(*, payment: Payment, actor: Actor) -> Payment:
    """ "Try again" after a declined card: a new attempt for the same sale (the declined
    payment is kept); asked twice, the same new attempt."""
    # The payment as it is now, locked before the sale as the provider's callbacks lock them:
    # the caller's copy may predate its decline (it read "awaiting payment") or a late success.
    payment = (
        Payment.objects.for_org(payment.organization_id)
        .select_for_update(of=("self",))
        .get(pk=payment.pk)
    )
    sale = sale_for_payment(payment, lock=True)
    if sale is None or sale.status != S.PENDING:
        raise Conflict(_("This purchase cannot be paid again."))
    if sale.payment_id != payment.pk:
        current = Payment.objects.for_org(sale.organization_id).get(pk=sale.payment_id)
        return current
    if payment.status != Payment.Status.FAILED:
        raise Conflict(_("Only a declined payment can be tried again."))
    new = _new_payment(sale, payment.account, actor, retry_of=payment)
    OnlineSale.objects.for_org(sale.organization_id).filter(pk=sale.pk).update(payment=new)
    return new


def sale_branch(sale: OnlineSale) -> Branch | None:
    return sale.operation.branch if sale.operation_id and sale.operation else None


def plan_online_from_plan_api(plan: MembershipPlan, fields: dict[str, Any], actor: Actor) -> None:
    """`PATCH /membership-plans/{id}` with `sell_online` / `button_text` (memberships.hooks)."""
    plan_online_update(
        plan=plan,
        actor=actor,
        sell_online=fields.get("sell_online"),
        button_text=fields.get("button_text"),
    )
