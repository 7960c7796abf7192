"""Cross-tenant cases for the messaging-account (bot) API operations."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from zapys.core.audit import Actor
from zapys.messaging.models import TransportAccount
from zapys.messaging.services import transport_account_save


def _bot(victim) -> TransportAccount:
    return transport_account_save(
        organization=victim,
        actor=Actor.system("tests"),
        channel="telegram",
        code="telegram",
        credentials={"token": "999:victim-token"},
        base_url="http://127.0.0.1:9",
    )


def _snapshot():
    return sorted(
        TransportAccount.objects.values_list("id", "code", "credentials_encrypted", "updated_at")
    )


def _list(victim):
    return CaseInput(foreign_ids=[_bot(victim).pk])


def _create(victim):
    _bot(victim)

    def check(body, victim_org):
        assert TransportAccount.objects.for_org(victim_org).count() == 1
        assert "victim-token" not in str(body)

    return CaseInput(
        body={"transport": "telegram", "credentials": {"token": "1:mine"}},
        snapshot=_snapshot,
        check=check,
    )


def _webhook(victim):
    return CaseInput(path_params={"account_id": _bot(victim).pk}, body={}, snapshot=_snapshot)


CASES = [
    CrossTenantCase("get", "/api/v1/messaging-accounts", _list, kind="list"),
    CrossTenantCase("post", "/api/v1/messaging-accounts", _create, kind="own"),
    CrossTenantCase("post", "/api/v1/messaging-accounts/{account_id}/webhook", _webhook),
]
