"""Selling, renewing and cancelling a client's membership, and what follows when the ledger
entry of a sale is cancelled (C7).

Sale modes (Voopty, FEATURES C7):
- paid:   a credit of −price (the membership is charged) and a debit of +price (the money
          taken), a sales receipt with the payment and an income operation; balance unchanged.
- credit: only the credit: the client owes the price (the balance goes down by it).
- free:   no entries at all — for loading existing memberships when moving to Zapys.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.text import clean_line
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry, PaymentType
from zapys.ledger.money import SoldLine, money_branch, money_received_record
from zapys.memberships.models import ClientMembership, MembershipPlan
from zapys.memberships.validity import validity_end

if TYPE_CHECKING:
    from zapys.accounts.models import Branch


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
            _("This payment method belongs to another branch."), field="payment_type_id"
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


def _sale(
    *,
    client: Any,
    plan: MembershipPlan,
    mode: str,
    starts_on: date,
    actor: Actor,
    branch: Branch | None,
    payment_type: PaymentType | None,
    renewed_from: ClientMembership | None = None,
) -> ClientMembership:
    """What a sale and a renewal share: checked, the membership created, its money recorded
    (each writes its own audit row)."""
    _validate_sale(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on,
        branch=branch,
        payment_type=payment_type,
    )
    membership = _new_membership(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on,
        actor=actor,
        branch=branch,
        renewed_from=renewed_from,
    )
    _record_sale_money(
        membership=membership, mode=mode, actor=actor, branch=branch, payment_type=payment_type
    )
    return membership


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
    membership = _sale(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on,
        actor=actor,
        branch=branch or (payment_type.branch if payment_type is not None else None),
        payment_type=payment_type,
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
    renewed = _sale(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on,
        actor=actor,
        branch=branch or membership.branch,
        payment_type=payment_type,
        renewed_from=membership,
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
