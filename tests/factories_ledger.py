"""Builders for ledger and membership tests (they go through the services)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from tests.factories import SYSTEM
from zapys.accounts.models import Branch, Organization
from zapys.clients.models import Client
from zapys.core.audit import Actor
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry, PaymentType
from zapys.memberships import services as memberships
from zapys.memberships.models import ClientMembership, MembershipPlan

_seq = itertools.count(1)


def make_client(org: Organization, name: str | None = None, **fields: Any) -> Client:
    """A plain client row (the clients app owns the real `client_create`)."""
    n = next(_seq)
    return Client.objects.for_org(org).create(
        organization=org,
        name=name or f"Client {n}",
        phone=fields.pop("phone", f"+38067{n:07d}"),
        **fields,
    )


def make_entry(
    client: Client,
    kind: str = Entry.Kind.DEBIT,
    amount: int = 10_000,
    purpose: str = Entry.Purpose.PAYMENT,
    actor: Actor = SYSTEM,
    **kwargs: Any,
) -> Entry:
    return ledger.entry_create(
        client=client, kind=kind, amount=amount, purpose=purpose, actor=actor, **kwargs
    )


def make_payment_type(branch: Branch, method: str = PaymentType.Method.CASH) -> PaymentType:
    return ledger.payment_type_for(organization=branch.organization, branch=branch, method=method)


def make_plan(org: Organization, name: str | None = None, **fields: Any) -> MembershipPlan:
    return memberships.membership_plan_create(
        organization=org,
        name=name or f"Plan {next(_seq)}",
        price=fields.pop("price", 120_000),
        validity_value=fields.pop("validity_value", 1),
        validity_unit=fields.pop("validity_unit", MembershipPlan.ValidityUnit.MONTHS),
        visits=fields.pop("visits", 8),
        actor=fields.pop("actor", SYSTEM),
        **fields,
    )


def make_membership(
    client: Client,
    plan: MembershipPlan | None = None,
    mode: str = ClientMembership.SaleMode.PAID,
    starts_on: date | None = None,
    **kwargs: Any,
) -> ClientMembership:
    plan = plan or make_plan(client.organization)
    return memberships.membership_sell(
        client=client,
        plan=plan,
        mode=mode,
        starts_on=starts_on or date(2026, 3, 1),
        actor=kwargs.pop("actor", SYSTEM),
        **kwargs,
    )
