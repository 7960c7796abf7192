"""Writes for membership plans and client memberships (C6, C7).

Sale modes (Voopty, FEATURES C7):
- paid:   a credit of −price (the membership is charged) and a debit of +price (the money
          taken), a sales receipt with the payment and an income operation; balance unchanged.
- credit: only the credit: the client owes the price (the balance goes down by it).
- free:   no entries at all — for loading existing memberships when moving to Zapys.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.text import clean_line, strip_control
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry, PaymentType
from zapys.ledger.money import SoldLine, money_branch, money_received_record
from zapys.memberships.models import (
    ClientMembership,
    FreezeExtension,
    MembershipPlan,
    MembershipUsage,
)

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization

PLAN_FIELDS = (
    "name",
    "description",
    "price",
    "validity_value",
    "validity_unit",
    "visits",
    "covers_everything",
    "kind",
    "separate_account",
)
MAX_VALIDITY_DAYS = 3660


def add_months(day: date, months: int) -> date:
    """`day` + `months`, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity_end(*, starts_on: date, value: int, unit: str) -> date:
    """The last valid day (inclusive): 1 month from 1 March is valid until 31 March."""
    if unit == MembershipPlan.ValidityUnit.DAYS:
        return starts_on + timedelta(days=value - 1)
    return add_months(starts_on, value) - timedelta(days=1)


# --- Plans ----------------------------------------------------------------------------


def _clean_plan_text(fields: dict[str, Any]) -> None:
    """The name is one line, the description may have several; control characters go from
    both (see `core.text`: they break PostgreSQL and XLSX exports). A membership copies the
    plan's name, and the name is the comment of its ledger entries."""
    if isinstance(fields.get("name"), str):
        fields["name"] = clean_line(fields["name"])[:200]
    if isinstance(fields.get("description"), str):
        fields["description"] = strip_control(fields["description"])


def _validate_plan(fields: dict[str, Any]) -> None:
    name = fields.get("name", "")
    if "name" in fields and not (isinstance(name, str) and name.strip()):
        raise DomainError(_("Enter the plan's name."), field="name")
    if "price" in fields:
        price = fields["price"]
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise DomainError(_("The price must be whole, non-negative kopecks."), field="price")
        if price > ledger.MAX_AMOUNT:
            raise DomainError(_("The price is too large."), field="price")
    if "validity_value" in fields:
        v = fields["validity_value"]
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise DomainError(
                _("The validity must be a positive whole number."), field="validity_value"
            )
    if (
        "validity_unit" in fields
        and fields["validity_unit"] not in MembershipPlan.ValidityUnit.values
    ):
        raise DomainError(_("The validity unit is days or months."), field="validity_unit")
    if "visits" in fields and fields["visits"] is not None:
        v = fields["visits"]
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise DomainError(
                _("Visits must be a positive whole number, or empty for unlimited."), field="visits"
            )
    if "kind" in fields and fields["kind"] not in MembershipPlan.Kind.values:
        raise DomainError(_("The kind is permanent or one_off."), field="kind")


def _set_coverage(
    plan: MembershipPlan,
    organization: Organization,
    services: list[Any] | None,
    groups: list[Any] | None,
    subjects: list[Any] | None,
) -> None:
    for name, objs in (("services", services), ("groups", groups), ("subjects", subjects)):
        if objs is None:
            continue
        for obj in objs:
            if obj.organization_id != organization.pk:
                raise DomainError(_("An object of another organization was given."), field=name)
        getattr(plan, name).set(objs)


@transaction.atomic
def membership_plan_create(
    *,
    organization: Organization,
    name: str,
    price: int,
    actor: Actor,
    validity_value: int = 1,
    validity_unit: str = MembershipPlan.ValidityUnit.MONTHS,
    visits: int | None = None,
    covers_everything: bool = True,
    services: list[Any] | None = None,
    groups: list[Any] | None = None,
    subjects: list[Any] | None = None,
    kind: str = MembershipPlan.Kind.PERMANENT,
    separate_account: bool = False,
    description: str = "",
) -> MembershipPlan:
    fields: dict[str, Any] = {
        "name": name,
        "price": price,
        "validity_value": validity_value,
        "validity_unit": validity_unit,
        "visits": visits,
        "covers_everything": covers_everything,
        "kind": kind,
        "separate_account": separate_account,
        "description": description,
    }
    _clean_plan_text(fields)
    _validate_plan(fields)
    plan = MembershipPlan.objects.for_org(organization).create(organization=organization, **fields)
    _set_coverage(plan, organization, services, groups, subjects)
    audit_record(organization=organization, actor=actor, action="membership_plan.create", obj=plan)
    return plan


@transaction.atomic
def membership_plan_update(
    *,
    plan: MembershipPlan,
    actor: Actor,
    services: list[Any] | None = None,
    groups: list[Any] | None = None,
    subjects: list[Any] | None = None,
    **fields: Any,
) -> MembershipPlan:
    """Change a plan. Memberships already sold keep their own copy of price and dates."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    _clean_plan_text(fields)
    _validate_plan(fields)
    before = MembershipPlan.objects.filter(pk=plan.pk).values(*fields).get() if fields else {}
    for key, value in fields.items():
        setattr(plan, key, value)
    if fields:
        plan.save(update_fields=list(fields))
    _set_coverage(plan, plan.organization, services, groups, subjects)
    audit_record(
        organization=plan.organization,
        actor=actor,
        action="membership_plan.update",
        obj=plan,
        changes=changes_between(before, fields),
    )
    return plan


@transaction.atomic
def membership_plan_archive(
    *, plan: MembershipPlan, actor: Actor, archived: bool = True
) -> MembershipPlan:
    """Archived plans cannot be sold; memberships already sold stay valid."""
    if plan.is_archived != archived:
        plan.is_archived = archived
        plan.save(update_fields=["is_archived"])
        audit_record(
            organization=plan.organization,
            actor=actor,
            action="membership_plan.archive" if archived else "membership_plan.restore",
            obj=plan,
            changes={"is_archived": [not archived, archived]},
        )
    return plan


# --- Selling --------------------------------------------------------------------------


def _record_sale_money(
    *,
    membership: ClientMembership,
    mode: str,
    actor: Actor,
    branch: Branch | None,
    payment_type: PaymentType | None,
) -> None:
    """The ledger entries, receipt and income operation of a sale, per mode."""
    client = membership.client
    organization = client.organization
    price = membership.price
    if mode == ClientMembership.SaleMode.FREE or price == 0:
        return
    charge = ledger.entry_create(
        client=client,
        kind=Entry.Kind.CREDIT,
        amount=price,
        purpose=Entry.Purpose.MEMBERSHIP_SALE,
        actor=actor,
        account=membership.account,
        cause=membership,
        comment=membership.name,
        branch=branch,
    )
    if mode == ClientMembership.SaleMode.PAID:
        # The receipt's line stands for the charge and its payment for the money taken, so
        # cancelling either entry later shows on the receipt (and the payment's operation).
        money_received_record(
            client=client,
            amount=price,
            purpose=Entry.Purpose.PAYMENT,
            article="membership_sales",
            actor=actor,
            cause=membership,
            comment=membership.name,
            sold=[SoldLine(membership.name, price, charge)],
            branch=branch,
            payment_type=payment_type,
            method=PaymentType.Method.CASH,
            account=membership.account,
        )
        return
    sale_branch = money_branch(organization, branch)
    if sale_branch is None:
        return  # receipts belong to a branch
    # Sold on credit: a receipt of what was sold, with nothing paid yet.
    ledger.sales_receipt_create(
        organization=organization,
        branch=sale_branch,
        client=client,
        lines=[(membership.name, price, charge)],
        payments=[],
        actor=actor,
        cause=membership,
    )


def _validate_sale(
    *, client: Any, plan: MembershipPlan, mode: str, starts_on: Any, branch: Any, payment_type: Any
) -> None:
    if plan.organization_id != client.organization_id:
        raise DomainError(_("Unknown plan."), field="plan_id")
    if plan.is_archived:
        raise DomainError(_("This plan is archived and cannot be sold."), field="plan_id")
    if mode not in ClientMembership.SaleMode.values:
        raise DomainError(_("The mode is paid, credit or free."), field="mode")
    if not isinstance(starts_on, date):
        raise DomainError(_("Choose the start date."), field="starts_on")
    for name, obj in (("branch_id", branch), ("payment_type_id", payment_type)):
        if obj is not None and obj.organization_id != client.organization_id:
            raise DomainError(_("An object of another organization was given."), field=name)
    if payment_type is not None and branch is not None and payment_type.branch_id != branch.pk:
        raise DomainError(
            _("This payment type belongs to another branch."), field="payment_type_id"
        )
    if getattr(client, "deleted_at", None) is not None:
        raise DomainError(_("This client is deleted."), field="client_id")


def _new_membership(
    *,
    client: Any,
    plan: MembershipPlan,
    mode: str,
    starts_on: date,
    actor: Actor,
    branch: Branch | None,
    renewed_from: ClientMembership | None = None,
) -> ClientMembership:
    if plan.separate_account:
        account = ledger.account_create_separate(client=client, name=plan.name, actor=actor)
    else:
        account = ledger.account_base_for(client=client)
    return ClientMembership.objects.for_org(client.organization_id).create(
        organization_id=client.organization_id,
        client=client,
        plan=plan,
        account=account,
        name=plan.name,
        price=plan.price,
        sale_mode=mode,
        starts_on=starts_on,
        ends_on=validity_end(
            starts_on=starts_on, value=plan.validity_value, unit=plan.validity_unit
        ),
        visits_total=plan.visits,
        renewed_from=renewed_from,
        branch=branch,
        created_by=actor.user,
    )


@transaction.atomic
def membership_sell(
    *,
    client: Any,
    plan: MembershipPlan,
    mode: str,
    starts_on: date,
    actor: Actor,
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
) -> ClientMembership:
    """Sell `plan` to `client` from `starts_on` in the given mode (see the module doc)."""
    if payment_type is not None and branch is None:
        branch = payment_type.branch
    _validate_sale(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on,
        branch=branch,
        payment_type=payment_type,
    )
    membership = _new_membership(
        client=client, plan=plan, mode=mode, starts_on=starts_on, actor=actor, branch=branch
    )
    _record_sale_money(
        membership=membership, mode=mode, actor=actor, branch=branch, payment_type=payment_type
    )
    audit_record(
        organization=client.organization,
        actor=actor,
        action="membership.sell",
        obj=membership,
        changes={
            "plan": [None, plan.pk],
            "mode": [None, mode],
            "price": [None, membership.price],
            "starts_on": [None, starts_on],
            "ends_on": [None, membership.ends_on],
        },
    )
    return membership


@transaction.atomic
def membership_renew(
    *,
    membership: ClientMembership,
    mode: str,
    actor: Actor,
    from_end: bool = True,
    today: date | None = None,
    branch: Branch | None = None,
    payment_type: PaymentType | None = None,
) -> ClientMembership:
    """A new period of the same plan, starting the day after the current one ends
    (`from_end`) or today — the administrator picks. Money as in a sale of `mode`."""
    today = today or timezone.localdate()
    starts_on = membership.ends_on + timedelta(days=1) if from_end else today
    plan = membership.plan
    client = membership.client
    if payment_type is not None and branch is None:
        branch = payment_type.branch
    branch = branch or membership.branch
    _validate_sale(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on,
        branch=branch,
        payment_type=payment_type,
    )
    renewed = _new_membership(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on,
        actor=actor,
        branch=branch,
        renewed_from=membership,
    )
    _record_sale_money(
        membership=renewed, mode=mode, actor=actor, branch=branch, payment_type=payment_type
    )
    audit_record(
        organization=client.organization,
        actor=actor,
        action="membership.renew",
        obj=renewed,
        changes={
            "renewed_from": [None, membership.pk],
            "mode": [None, mode],
            "starts_on": [None, starts_on],
            "ends_on": [None, renewed.ends_on],
        },
    )
    return renewed


@transaction.atomic
def membership_correct_validity(
    *,
    membership: ClientMembership,
    actor: Actor,
    starts_on: date | None = None,
    ends_on: date | None = None,
    reason: str = "",
) -> ClientMembership:
    """Fix the dates (the client was ill, a typo at sale time). Money is not touched."""
    reason = clean_line(reason or "")
    new_start = starts_on or membership.starts_on
    new_end = ends_on or membership.ends_on
    if new_end < new_start:
        raise DomainError(_("The end date is before the start date."), field="ends_on")
    if (new_end - new_start).days > MAX_VALIDITY_DAYS:
        raise DomainError(_("The validity is too long."), field="ends_on")
    before = {"starts_on": membership.starts_on, "ends_on": membership.ends_on}
    membership.starts_on, membership.ends_on = new_start, new_end
    membership.save(update_fields=["starts_on", "ends_on"])
    audit_record(
        organization=membership.client.organization,
        actor=actor,
        action="membership.correct_validity",
        obj=membership,
        changes={
            **changes_between(before, {"starts_on": new_start, "ends_on": new_end}),
            "reason": [None, reason],
        },
    )
    return membership


@transaction.atomic
def membership_add_virtual_visits(
    *, membership: ClientMembership, count: int, actor: Actor, reason: str = ""
) -> ClientMembership:
    """Count visits the client made without an attendance record (e.g. before Zapys).
    A negative count takes back virtual visits added by mistake."""
    reason = clean_line(reason or "")
    if isinstance(count, bool) or not isinstance(count, int) or count == 0:
        raise DomainError(_("Enter a whole number of visits other than zero."), field="count")
    qs = ClientMembership.objects.for_org(membership.organization_id).filter(pk=membership.pk)
    guard = Q(virtual_visits__gte=-count)
    if membership.visits_total is not None:
        guard &= Q(visits_total__gte=F("visits_used") + F("virtual_visits") + count)
    changed = qs.filter(guard).update(virtual_visits=F("virtual_visits") + count)
    if changed != 1:
        raise DomainError(
            _("That many visits do not fit this membership."), field="count", status=409
        )
    membership.refresh_from_db()
    audit_record(
        organization=membership.organization,
        actor=actor,
        action="membership.add_virtual_visits",
        obj=membership,
        changes={
            "virtual_visits": [membership.virtual_visits - count, membership.virtual_visits],
            "reason": [None, reason],
        },
    )
    return membership


@transaction.atomic
def membership_cancel(
    *, membership: ClientMembership, actor: Actor, reason: str = ""
) -> ClientMembership:
    """Cancel a membership sold by mistake: it stops covering visits and its entries are
    cancelled (kept, struck through)."""
    reason = clean_line(reason or "")
    changed = (
        ClientMembership.objects.for_org(membership.organization_id)
        .filter(pk=membership.pk, status=ClientMembership.Status.ACTIVE)
        .update(status=ClientMembership.Status.CANCELLED)
    )
    if changed != 1:
        raise Conflict(_("This membership is already cancelled."), field="status")
    ledger.entries_cancel_for_cause(cause=membership, actor=actor, reason=reason)
    membership.refresh_from_db()
    audit_record(
        organization=membership.organization,
        actor=actor,
        action="membership.cancel",
        obj=membership,
        changes={"status": ["active", "cancelled"], "reason": [None, reason]},
    )
    return membership


def membership_sale_entry_cancelled(
    *, membership: ClientMembership, entry: Entry, actor: Actor, reason: str
) -> dict[str, Any]:
    """A ledger entry of this sale was cancelled on the client's account: the sale and its
    money are one fact, so the membership follows (called inside `entry_cancel`).

    - The charge (what the membership cost) cancelled: the sale is undone — the membership
      stops covering visits. Money the client paid stays on the balance, to refund or keep.
    - The payment cancelled (the money never came): a paid sale becomes a sale on credit,
      and the charge left on the account shows the debt.
    A membership already cancelled (its own cancellation cancels its entries) is left alone.
    """
    org_id = membership.organization_id
    active = ClientMembership.objects.for_org(org_id).filter(
        pk=membership.pk, status=ClientMembership.Status.ACTIVE
    )
    if entry.kind == Entry.Kind.CREDIT and entry.purpose == Entry.Purpose.MEMBERSHIP_SALE:
        if active.update(status=ClientMembership.Status.CANCELLED) != 1:
            return {}
        membership.status = ClientMembership.Status.CANCELLED
        audit_record(
            organization=membership.organization,
            actor=actor,
            action="membership.cancel",
            obj=membership,
            changes={
                "status": ["active", "cancelled"],
                "reason": [None, reason],
                "entry": entry.pk,
            },
        )
        return {"membership_cancelled": membership.pk}
    if entry.kind == Entry.Kind.DEBIT and membership.sale_mode == ClientMembership.SaleMode.PAID:
        credit = ClientMembership.SaleMode.CREDIT
        if active.filter(sale_mode=ClientMembership.SaleMode.PAID).update(sale_mode=credit) != 1:
            return {}
        membership.sale_mode = credit
        audit_record(
            organization=membership.organization,
            actor=actor,
            action="membership.sale_mode",
            obj=membership,
            changes={"sale_mode": ["paid", "credit"], "reason": [None, reason], "entry": entry.pk},
        )
        return {"membership_now_on_credit": membership.pk}
    return {}


# --- Consumption (called by the schedule) ---------------------------------------------


def _covering(client: Any, on_date: date, service: Any, group: Any) -> Any:
    qs = ClientMembership.objects.for_org(client.organization_id).filter(
        client_id=client.pk,
        status=ClientMembership.Status.ACTIVE,
        starts_on__lte=on_date,
        ends_on__gte=on_date,
    )
    cover = Q(plan__covers_everything=True)
    if service is not None:
        cover |= Q(plan__services=service)
    if group is not None:
        cover |= Q(plan__groups=group)
        if getattr(group, "subject_id", None):
            cover |= Q(plan__subjects=group.subject_id)
    has_visits = Q(visits_total__isnull=True) | Q(
        visits_total__gt=F("visits_used") + F("virtual_visits")
    )
    return qs.filter(cover).filter(has_visits).distinct().order_by("ends_on", "id")


@transaction.atomic
def membership_consume_visit(
    *,
    client: Any,
    on_date: date,
    actor: Actor,
    cause: Model,
    service: Any = None,
    group: Any = None,
) -> ClientMembership | None:
    """Take one visit from the client's matching membership that expires first.
    Idempotent per cause: calling it again for the same visit returns the same membership.
    None when no active membership covers it (the visit is then charged to the balance)."""
    cause_type, cause_id = cause._meta.label_lower, str(cause.pk)
    existing = (
        MembershipUsage.objects.for_org(client.organization_id)
        .filter(cause_type=cause_type, cause_id=cause_id, returned_at__isnull=True)
        .select_related("membership")
        .first()
    )
    if existing is not None:
        return existing.membership
    for candidate in _covering(client, on_date, service, group):
        # Conditional increment: a concurrent consumer of the last visit makes this 0 rows.
        guard = Q(visits_total__isnull=True) | Q(
            visits_total__gt=F("visits_used") + F("virtual_visits")
        )
        won = (
            ClientMembership.objects.for_org(client.organization_id)
            .filter(guard, pk=candidate.pk, status=ClientMembership.Status.ACTIVE)
            .update(visits_used=F("visits_used") + 1)
        )
        if won != 1:
            continue
        try:
            with transaction.atomic():
                usage = MembershipUsage.objects.for_org(client.organization_id).create(
                    organization_id=client.organization_id,
                    membership=candidate,
                    cause_type=cause_type,
                    cause_id=cause_id,
                    on_date=on_date,
                )
        except IntegrityError:
            # Someone consumed for this cause at the same moment: give ours back.
            ClientMembership.objects.for_org(client.organization_id).filter(pk=candidate.pk).update(
                visits_used=F("visits_used") - 1
            )
            raced = MembershipUsage.objects.for_org(client.organization_id).get(
                cause_type=cause_type, cause_id=cause_id, returned_at__isnull=True
            )
            return raced.membership
        candidate.refresh_from_db()
        audit_record(
            organization=client.organization,
            actor=actor,
            action="membership.consume_visit",
            obj=candidate,
            changes={"usage": [None, usage.pk], "cause": [None, f"{cause_type}#{cause_id}"]},
        )
        return candidate
    return None


@transaction.atomic
def membership_return_visit(*, cause: Model, actor: Actor) -> ClientMembership | None:
    """Undo the consumption recorded for `cause` (attendance unmarked, visit cancelled).
    None when nothing was consumed for it (so calling it twice is harmless)."""
    org_id = cause.organization_id  # type: ignore[attr-defined]
    cause_type, cause_id = cause._meta.label_lower, str(cause.pk)
    returned = (
        MembershipUsage.objects.for_org(org_id)
        .filter(cause_type=cause_type, cause_id=cause_id, returned_at__isnull=True)
        .update(returned_at=timezone.now())
    )
    if returned == 0:
        return None
    usage = (
        MembershipUsage.objects.for_org(org_id)
        .filter(cause_type=cause_type, cause_id=cause_id)
        .order_by("-returned_at", "-id")
        .select_related("membership")
        .first()
    )
    assert usage is not None
    ClientMembership.objects.for_org(org_id).filter(pk=usage.membership_id).update(
        visits_used=F("visits_used") - 1
    )
    membership = usage.membership
    membership.refresh_from_db()
    audit_record(
        organization=membership.organization,
        actor=actor,
        action="membership.return_visit",
        obj=membership,
        changes={"usage": [usage.pk, None], "cause": [f"{cause_type}#{cause_id}", None]},
    )
    return membership


# --- Freezes (C3, called by the clients app) -------------------------------------------


def freeze_overlap_days(*, starts_on: date, ends_on: date, first: date, last: date) -> int:
    """How many days of the frozen range [first, last] the membership [starts_on, ends_on]
    was valid on — the only days a freeze may give back (0 for an empty range)."""
    start, end = max(starts_on, first), min(ends_on, last)
    return max((end - start).days + 1, 0)


def _frozen_range(freeze: Any) -> tuple[date, date]:
    """The days the client is (or was) actually frozen: an early end shortens the range,
    a freeze cancelled before it started has none (last < first)."""
    return freeze.date_from, freeze.effective_end


def _set_extension(
    *, membership: ClientMembership, extension: FreezeExtension, days: int
) -> tuple[date, date]:
    """Re-base `membership` on its end without this freeze and extend it by `days`."""
    base_end = max(membership.ends_on - timedelta(days=extension.days), membership.starts_on)
    before = membership.ends_on
    membership.ends_on = base_end + timedelta(days=days)
    if membership.ends_on != before:
        membership.save(update_fields=["ends_on"])
    if extension.pk is None or extension.days != days:
        extension.days = days
        extension.save()
    return before, membership.ends_on


@transaction.atomic
def membership_freeze_extend(*, client: Any, freeze: Any, actor: Actor, reason: str) -> int:
    """A client was frozen: extend each of their active memberships by the frozen days on
    which it is valid (the overlap of the freeze and the membership's validity — days
    before a membership starts or after it ends extend nothing). Returns how many changed."""
    first, last = _frozen_range(freeze)
    memberships = list(
        ClientMembership.objects.for_org(client.organization_id)
        .filter(
            client_id=client.pk,
            status=ClientMembership.Status.ACTIVE,
            starts_on__lte=last,
            ends_on__gte=first,
        )
        .exclude(freeze_extensions__freeze_id=freeze.pk)
        .select_for_update()
        .order_by("id")
    )
    changed = 0
    for m in memberships:
        days = freeze_overlap_days(starts_on=m.starts_on, ends_on=m.ends_on, first=first, last=last)
        if days == 0:
            continue
        extension = FreezeExtension(
            organization_id=client.organization_id, membership=m, freeze_id=freeze.pk, days=0
        )
        before, after = _set_extension(membership=m, extension=extension, days=days)
        changed += 1
        _audit_freeze_shift(client, actor, m, (before, after), reason, days, freeze.pk)
    return changed


def _audit_freeze_shift(
    client: Any,
    actor: Actor,
    membership: ClientMembership,
    ends_on: tuple[Any, Any],
    reason: str,
    days: int,
    freeze_id: int,
) -> None:
    """The audit row of a validity moved by a freeze (+days) or its release (-days)."""
    audit_record(
        organization=client.organization,
        actor=actor,
        action="membership.validity_shift",
        obj=membership,
        changes={
            "ends_on": list(ends_on),
            "reason": [None, reason],
            "days": [None, days],
            "freeze_id": [None, freeze_id],
        },
    )


@transaction.atomic
def membership_freeze_release(*, client: Any, freeze: Any, actor: Actor, reason: str) -> int:
    """A freeze was ended early or cancelled (`freeze.ended_early_at` is set): each
    membership it extended keeps only the days it was valid on within the shortened
    frozen range; the rest are taken back. Memberships the freeze never extended are not
    touched. Calling it again changes nothing. Returns how many memberships changed."""
    first, last = _frozen_range(freeze)
    extensions = list(
        FreezeExtension.objects.for_org(client.organization_id)
        .filter(
            freeze_id=freeze.pk,
            membership__client_id=client.pk,
            membership__status=ClientMembership.Status.ACTIVE,
        )
        .select_related("membership")
        .select_for_update()
        .order_by("id")
    )
    changed = 0
    for extension in extensions:
        m = extension.membership
        base_end = max(m.ends_on - timedelta(days=extension.days), m.starts_on)
        days = freeze_overlap_days(starts_on=m.starts_on, ends_on=base_end, first=first, last=last)
        if days == extension.days:
            continue
        taken_back = extension.days - days
        before, after = _set_extension(membership=m, extension=extension, days=days)
        changed += 1
        _audit_freeze_shift(client, actor, m, (before, after), reason, -taken_back, freeze.pk)
    return changed
