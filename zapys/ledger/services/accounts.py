"""A client's accounts: the base account (created on first use) and separate ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction

from zapys.core.audit import Actor, audit_record
from zapys.core.prepared import PreparedQuery
from zapys.core.tenancy import unscoped
from zapys.core.text import clean_line
from zapys.ledger.models import Account


def account_base_for(*, client: Any) -> Account:
    """The client's base account, created on first use (race-safe: unique constraint)."""
    account = _BASE_ACCOUNT.first(org=client.organization_id, client=client.pk)
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.for_org(client.organization_id).create(
                organization_id=client.organization_id, client=client, kind=Account.Kind.BASE
            )
    except IntegrityError:
        return Account.objects.for_org(client.organization_id).get(
            client_id=client.pk, kind=Account.Kind.BASE
        )


# Read on every money movement (a checkout, a callback): compiled once (core/prepared.py).
_BASE_ACCOUNT: PreparedQuery[Account] = PreparedQuery(
    lambda s: Account.objects.for_org(s.org()).filter(
        client_id=s.number("client"), kind=Account.Kind.BASE
    )[:1]
)


def accounts_base_for_many(*, organization_id: int, client_ids: list[int]) -> dict[int, Account]:
    """{client_id: base account} for many clients, the missing ones created: three queries
    whatever the number (set-based work such as an invoice rule's batch). Race-safe like
    `account_base_for`: a concurrent creator's row is kept and read back."""
    accounts = Account.objects.for_org(organization_id)
    found = {
        a.client_id: a for a in accounts.filter(client_id__in=client_ids, kind=Account.Kind.BASE)
    }
    missing = [pk for pk in client_ids if pk not in found]
    if missing:
        accounts.bulk_create(
            [
                Account(organization_id=organization_id, client_id=pk, kind=Account.Kind.BASE)
                for pk in missing
            ],
            ignore_conflicts=True,
        )
        found |= {
            a.client_id: a for a in accounts.filter(client_id__in=missing, kind=Account.Kind.BASE)
        }
    return found


def accounts_base_for_clients(clients: Sequence[Any]) -> dict[int, Account]:
    """{client_id: base account} for clients of any organizations (a sweep's batch, e.g.
    the due-fee job), the missing ones created: one query when they all exist, three
    otherwise, whatever the number. Race-safe like `account_base_for`."""
    ids = sorted({c.pk for c in clients})
    with unscoped():
        found = {
            a.client_id: a
            for a in Account.objects.filter(client_id__in=ids, kind=Account.Kind.BASE)
        }
        missing = {c.pk: c for c in clients if c.pk not in found}
        if missing:
            Account.objects.bulk_create(
                [
                    Account(organization_id=c.organization_id, client_id=pk, kind=Account.Kind.BASE)
                    for pk, c in missing.items()
                ],
                ignore_conflicts=True,
            )
            found |= {
                a.client_id: a
                for a in Account.objects.filter(client_id__in=list(missing), kind=Account.Kind.BASE)
            }
    return found


@transaction.atomic
def account_create_separate(*, client: Any, name: str, actor: Actor) -> Account:
    """A separate account (per membership when its plan says so)."""
    account = Account.objects.for_org(client.organization_id).create(
        organization_id=client.organization_id,
        client=client,
        kind=Account.Kind.MEMBERSHIP,
        name=clean_line(name)[:200],
    )
    audit_record(
        organization=client.organization, actor=actor, action="ledger.account_create", obj=account
    )
    return account
