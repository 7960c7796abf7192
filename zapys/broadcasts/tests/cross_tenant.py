"""Cross-tenant cases for the broadcast API: another organization's broadcast is 404, and a
broadcast naming another organization's clients or tags is refused and creates nothing."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_clients import make_client
from tests.factories_messaging import make_transport_account
from zapys.broadcasts.models import Broadcast
from zapys.core.tenancy import unscoped
from zapys.messaging.models import Message


def _snapshot():
    with unscoped():
        return (Broadcast.objects.count(), Message.objects.count())


def _broadcast(victim):
    make_transport_account(victim)
    make_client(victim)
    broadcast = Broadcast.objects.create(
        organization=victim, audience="all", text="Hello", send_at="2026-12-01T10:00:00Z"
    )
    return CaseInput(path_params={"broadcast_id": broadcast.pk}, snapshot=_snapshot)


def _to_their_clients(victim):
    make_transport_account(victim)
    client = make_client(victim)
    return CaseInput(
        body={"audience": {"client_ids": [client.pk]}, "channel": "sms", "text": "Hi"},
        snapshot=_snapshot,
    )


CASES = [
    CrossTenantCase("get", "/api/v1/broadcasts/{broadcast_id}", _broadcast),
    CrossTenantCase("post", "/api/v1/broadcasts", _to_their_clients, kind="create"),
]
