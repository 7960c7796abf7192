"""A client's accounts: the base account (created on first use) and separate ones."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from zapys.core.audit import Actor, audit_record
from zapys.core.text import clean_line
from zapys.ledger.models import Account


def account_base_for(*, client: Any) -> Account:
    """The client's base account, created on first use (race-safe: unique constraint)."""
    account = (
        Account.objects.for_org(client.organization_id)
        .filter(client_id=client.pk, kind=Account.Kind.BASE)
        .first()
    )
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
