"""Selling a membership paid with money that arrived before there was a client (an online
sale, FEATURES O4): the sale is "paid", and the payment is the money already recorded in
the till and on a receipt (`ledger.money.money_received_unassigned`), now assigned to the
client — not recorded again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import TextOrStored
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry
from zapys.ledger.money import UnassignedMoney, money_assign_to_client
from zapys.memberships.models import ClientMembership, MembershipPlan
from zapys.memberships.services import membership_sell

if TYPE_CHECKING:
    from zapys.accounts.models import Branch


@transaction.atomic
def membership_sell_prepaid(
    *,
    client: Any,
    plan: MembershipPlan,
    starts_on: date,
    money: UnassignedMoney,
    actor: Actor,
    comment: TextOrStored,
    fees: Sequence[tuple[TextOrStored, int]] = (),
    branch: Branch | None = None,
    groups: Sequence[Any] = (),
) -> ClientMembership:
    """Sell `plan` to `client` as paid by `money`. The client's account gets the price as the
    sale's charge, each of `fees` (name, amount — a payment service's commission the buyer
    paid) as a charge, and the money as the payment: all caused by the membership, so
    cancelling the membership reverses every one of them and the till's income with it.
    `groups` (optional) limits the membership to lessons of those groups."""
    chosen = groups_check(plan=plan, groups=groups)
    # The validation, the account and the dates of any sale; its money is written below.
    membership = membership_sell(
        client=client,
        plan=plan,
        mode=ClientMembership.SaleMode.FREE,
        starts_on=starts_on,
        actor=actor,
        branch=branch,
    )
    paid = ClientMembership.SaleMode.PAID
    ClientMembership.objects.for_org(client.organization_id).filter(pk=membership.pk).update(
        sale_mode=paid
    )
    membership.sale_mode = paid
    if chosen:
        membership.groups.set(chosen)
    if membership.price:
        ledger.entry_create(
            client=client,
            kind=Entry.Kind.CREDIT,
            amount=membership.price,
            purpose=Entry.Purpose.MEMBERSHIP_SALE,
            actor=actor,
            account=membership.account,
            cause=membership,
            comment=membership.name,
            branch=branch,
        )
    for name, amount in fees:
        if amount:
            ledger.entry_create(
                client=client,
                kind=Entry.Kind.CREDIT,
                amount=amount,
                purpose=Entry.Purpose.SERVICE_FEE,
                actor=actor,
                account=membership.account,
                cause=membership,
                comment=name,
                branch=branch,
            )
    entry = money_assign_to_client(
        money=money,
        client=client,
        purpose=Entry.Purpose.PAYMENT,
        actor=actor,
        cause=membership,
        comment=comment,
        account=membership.account,
    )
    audit_record(
        organization=client.organization,
        actor=actor,
        action="membership.sale_mode",
        obj=membership,
        changes={
            "sale_mode": ["free", "paid"],
            "entry": entry.pk,
            "groups": [group.pk for group in chosen],
        },
    )
    return membership


def groups_check(*, plan: MembershipPlan, groups: Sequence[Any]) -> list[Any]:
    """The groups a membership of `plan` may be limited to: the plan's organization's, and
    among what the plan covers (its groups, or groups of its subjects; any group when the
    plan covers everything). A DomainError on `group_ids` otherwise."""
    chosen = list(dict.fromkeys(groups))
    if any(group.organization_id != plan.organization_id for group in chosen):
        raise DomainError(_("An object of another organization was given."), field="group_ids")
    if chosen and not plan.covers_everything:
        group_ids = set(plan.groups.values_list("pk", flat=True))
        subject_ids = set(plan.subjects.values_list("pk", flat=True))
        for group in chosen:
            if group.pk not in group_ids and group.subject_id not in subject_ids:
                raise DomainError(
                    _("This membership does not cover the group %(group)s.") % {"group": group},
                    field="group_ids",
                )
    return chosen
