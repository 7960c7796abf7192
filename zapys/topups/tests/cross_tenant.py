"""Cross-tenant case for the top-up API operation."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_payments import make_account, make_client
from zapys.payments.models import Payment


def _client_topup(victim):
    client = make_client(victim)
    make_account(victim, "sandbox")
    return CaseInput(
        path_params={"client_id": client.pk},
        body={"amount": 10000},
        snapshot=lambda: Payment.objects.count(),
    )


CASES = [
    CrossTenantCase("post", "/api/v1/clients/{client_id}/top-ups", _client_topup),
]
