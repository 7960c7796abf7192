"""Cross-tenant cases for the checkout API operations."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_payments import make_account
from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.ledger.models import Entry
from zapys.schedule.models import Attendance


def _visit(victim):
    from zapys.accounts.models import Branch

    branch = Branch.objects.for_org(victim).order_by("id").first()
    if branch is None:
        branch = Branch.objects.for_org(victim).create(organization=victim, name="B")
    make_account(victim, "sandbox")
    visit = make_visit(
        victim,
        branch,
        client=make_client(victim),
        service=make_service(victim, price=45_000),
        starts_at=timezone.now() - timedelta(minutes=30),
    )
    return CaseInput(
        path_params={"visit_id": visit.pk},
        body={"payments": [{"method": "card", "amount": 45_000}]},
        snapshot=lambda: (
            Entry.objects.count(),
            list(Attendance.objects.values_list("state", "charge")),
        ),
    )


CASES = [
    CrossTenantCase("get", "/api/v1/visits/{visit_id}/checkout", _visit),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/checkout", _visit),
]
