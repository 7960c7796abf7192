"""Cross-tenant case for the cabinet link API operation (it lives on the clients router)."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_clients import make_client
from zapys.clients.models import Client


def _cabinet_link(victim):
    client = make_client(victim)
    return CaseInput(
        path_params={"client_id": client.pk},
        snapshot=lambda: list(
            Client.objects.order_by("pk").values_list("cabinet_token", flat=True)
        ),
    )


CASES = [
    CrossTenantCase("post", "/api/v1/clients/{client_id}/cabinet-link", _cabinet_link),
]
