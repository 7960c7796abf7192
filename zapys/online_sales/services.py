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
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from zapys.accounts.models import Branch, Organization
from zapys.catalog.models import Group
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone
from zapys.clients.services import client_create
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError, NotFound
from zapys.core.money import format_money, percent_of
from zapys.core.text import clean_line
from zapys.ledger.money import (
    SoldLine,
    UnassignedMoney,
    money_received_unassigned,
    money_unassigned_cancel,
)
from zapys.memberships.models import ClientMembership, MembershipPlan
from zapys.memberships.prepaid import membership_sell_prepaid
from zapys.memberships.services import membership_cancel, validity_end
from zapys.messaging.services import message_send
from zapys.online_sales.codes import code_new, code_normalise
from zapys.online_sales.events import PURCHASED
from zapys.online_sales.models import OnlineSale, OnlineSalesSettings, PlanOnline
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.services import notify_staff, payment_create, payment_refund

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
        return _("Only permanent membership plans can be sold online; this one is one-off.")
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
    **style: Any,
) -> PlanOnline:
    """Allow or stop the plan's online sale and set its button (O2). Allowing a plan that
    cannot be sold online (a one-off plan) is refused with the reason; the button's text is
    what a buyer clicks, so an allowed plan needs one (its name when left empty)."""
    unknown = set(style) - set(STYLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown setting."), field=sorted(unknown)[0])
    cleaned = _clean_style(style)
    organization = plan.organization
    row = PlanOnline.objects.for_org(organization).select_for_update().filter(plan=plan).first()
    created = row is None
    if row is None:
        defaults = online_settings_get(organization)
        row = PlanOnline(
            organization=organization,
            plan=plan,
            **{name: getattr(defaults, name) for name in STYLE_FIELDS},
        )
    before = {"sell_online": row.sell_online, "button_text": row.button_text} | {
        name: getattr(row, name) for name in cleaned
    }
    if sell_online:
        reason = plan_sellable_reason(plan)
        if reason:
            raise DomainError(reason, field="sell_online", status=422)
        row.sell_online = True
    elif sell_online is not None:
        row.sell_online = False
    if button_text is not None:
        row.button_text = clean_line(button_text)[:80]
    if row.sell_online and not row.button_text:
        row.button_text = clean_line(_("Buy “%(plan)s”") % {"plan": plan.name})[:80]
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.save()
    after = {"sell_online": row.sell_online, "button_text": row.button_text} | cleaned
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


def visits_text(plan: MembershipPlan) -> str:
    if plan.visits is None:
        return _("unlimited visits")
    return _("%(n)s visits") % {"n": plan.visits}


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
            title=_("An online payment needs a look"),
            body=_("Payment #%(p)s arrived for an online sale that does not await it.")
            % {"p": payment.pk},
            related=payment,
        )
        return sale
    lines = [SoldLine(sale.plan_name, sale.price)]
    if sale.commission:
        lines.append(SoldLine(_("Payment service commission"), sale.commission))
    money = money_received_unassigned(
        organization=organization,
        amount=sale.amount,
        article="membership_sales",
        actor=actor,
        cause=sale,
        comment=_("Online sale: %(plan)s, payment #%(p)s")
        % {"plan": sale.plan_name, "p": payment.pk},
        sold=lines,
        branch=payment.branch if payment.branch_id else None,
    )
    now = timezone.now()
    sale.status, sale.paid_at = S.PAID, now
    sale.activation_code = _unique_code(organization.pk)
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
        title=_("Membership sold online: %(plan)s") % {"plan": sale.plan_name},
        body=_("%(email)s paid %(amount)s; activation code %(code)s.")
        % {
            "email": sale.email,
            "amount": format_money(sale.amount, sale.currency),
            "code": sale.activation_code,
        },
        related=payment,
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
    chosen = list(groups)
    for group in chosen:
        if group.organization_id != sale.organization_id:
            raise DomainError(_("An object of another organization was given."), field="group_ids")
    plan = sale.plan
    if chosen and not plan.covers_everything:
        allowed = set(plan.groups.values_list("pk", flat=True))
        if any(group.pk not in allowed for group in chosen):
            raise DomainError(
                _("This membership does not cover one of the chosen groups."), field="group_ids"
            )
    return chosen


def _attach(
    sale: OnlineSale,
    *,
    client: Client,
    actor: Actor,
    starts_on: date | None,
    groups: Any,
    auto: bool,
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
    fees = [(_("Payment service commission"), locked.commission)] if locked.commission else []
    membership = membership_sell_prepaid(
        client=client,
        plan=plan,
        starts_on=starts_on,
        money=UnassignedMoney(locked.operation, locked.receipt, locked.receipt_payment),
        actor=actor,
        comment=_("Online sale %(code)s, payment #%(p)s")
        % {"code": locked.activation_code, "p": locked.payment_id},
        fees=fees,
        branch=locked.operation.branch,
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
) -> OnlineSale:
    """Staff attach a paid purchase to a client (O4): the client's membership is sold "paid"
    from the held money, valid from `starts_on` (today by default), for the chosen groups.
    A used, refunded or unpaid code is refused and nothing changes; of two staff attaching
    the same code at once exactly one wins (the sale's row is locked)."""
    if starts_on is not None:
        validity_end(starts_on=starts_on, value=1, unit="days")  # a date, or it fails here
    return _attach(sale, client=client, actor=actor, starts_on=starts_on, groups=groups, auto=False)


@transaction.atomic
def online_sale_attach_new_client(
    *,
    sale: OnlineSale,
    name: str,
    actor: Actor,
    starts_on: date | None = None,
    groups: Any = (),
) -> OnlineSale:
    """Attach to a client created from the buyer's e-mail and phone (O4)."""
    _refuse_unless_paid(sale)
    if not clean_line(name or ""):
        raise DomainError(_("Enter the client's name."), field="name")
    client = client_create(
        organization=sale.organization, name=name, phone=sale.phone, email=sale.email, actor=actor
    )
    return _attach(sale, client=client, actor=actor, starts_on=starts_on, groups=groups, auto=False)


# --------------------------------------------------------------------------- refunds


def online_sale_refund(*, sale: OnlineSale, actor: Actor) -> OnlineSale:
    """Refund the purchase to the buyer's card through the provider (O5). What was recorded
    is reversed when the provider confirms (`online_sale_refunded`), in the same step; a
    provider that declines leaves everything as it was (its error is raised)."""
    if sale.status not in (S.PAID, S.ATTACHED) or sale.payment is None:
        raise Conflict(_("Only a paid purchase can be refunded."), field="status")
    payment_refund(payment=sale.payment, actor=actor)
    return OnlineSale.objects.for_org(sale.organization_id).get(pk=sale.pk)


def online_sale_refunded(*, payment: Payment, amount: int, actor: Actor) -> None:
    """The provider returned money (the purpose's `on_refunded`). A whole refund reverses the
    sale: an attached membership is cancelled with its entries (the seed's separate manual
    step), unattached money's income is cancelled. A part refund (asked at the provider's
    own dashboard) is left to the staff, who are told."""
    sale = sale_for_payment(payment, lock=True)
    if sale is None or sale.payment_id != payment.pk:
        return
    organization = payment.organization
    if payment.status != Payment.Status.REFUNDED:
        notify_staff(
            organization=organization,
            title=_("Part of an online sale was refunded"),
            body=_("%(amount)s of the purchase %(code)s went back to the buyer; check the sale.")
            % {"amount": format_money(amount, payment.currency), "code": sale.activation_code},
            related=payment,
        )
        return
    before = sale.status
    reason = _("Online sale refunded, payment #%(p)s") % {"p": payment.pk}
    if sale.status == S.ATTACHED and sale.membership_id:
        membership = ClientMembership.objects.for_org(organization).get(pk=sale.membership_id)
        if membership.status == ClientMembership.Status.ACTIVE:
            membership_cancel(membership=membership, actor=actor, reason=reason)
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


@transaction.atomic
def online_sale_retry(*, payment: Payment, actor: Actor) -> Payment:
    """ "Try again" after a declined card: a new attempt for the same sale (the declined
    payment is kept); asked twice, the same new attempt."""
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
