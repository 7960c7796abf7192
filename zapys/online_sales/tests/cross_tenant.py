"""Cross-tenant cases for every online sales API operation."""

from __future__ import annotations

from typing import Any

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_ledger import make_plan
from tests.factories_messaging import make_client
from tests.factories_payments import make_account
from zapys.accounts.models import Organization
from zapys.online_sales.models import OnlineSale, PlanOnline
from zapys.online_sales.services import online_settings_get
from zapys.online_sales.tests.factories import make_sale, make_shop


def _sales(victim: Organization) -> Any:
    return lambda: list(
        OnlineSale.objects.for_org(victim).values_list("id", "status", "client_id", "membership_id")
    )


def _settings_get(victim: Organization) -> CaseInput:
    make_shop(victim)
    victim_account = online_settings_get(victim).payment_account_id

    def check(body: Any, org: Organization) -> None:
        assert body["payment_account_id"] != victim_account
        assert victim.slug not in body["storefront_url"]

    return CaseInput(check=check)


def _settings_patch(victim: Organization) -> CaseInput:
    account = make_account(victim, "sandbox")
    return CaseInput(
        body={"payment_account_id": account.pk},
        snapshot=lambda: online_settings_get(victim).payment_account_id,
    )


def _plans_list(victim: Organization) -> CaseInput:
    plan = make_shop(victim, name="Victim plan")

    def check(body: Any, org: Organization) -> None:
        assert plan.pk not in [row["plan_id"] for row in body]

    return CaseInput(check=check)


def _plan_patch(victim: Organization) -> CaseInput:
    plan = make_plan(victim, "Victim plan")
    return CaseInput(
        path_params={"plan_id": plan.pk},
        body={"sell_online": True, "button_text": "Hacked"},
        snapshot=lambda: list(PlanOnline.objects.for_org(victim).values_list("id", "button_text")),
    )


def _buttons(victim: Organization) -> CaseInput:
    plan = make_shop(victim)

    def check(body: Any, org: Organization) -> None:
        assert plan.pk not in [row["plan_id"] for row in body["items"]]
        assert all(victim.slug not in row["url"] for row in body["items"])

    return CaseInput(check=check)


def _sales_list(victim: Organization) -> CaseInput:
    sale = make_sale(victim, make_shop(victim))
    return CaseInput(foreign_ids=[sale.pk])


def _sale_object(victim: Organization) -> CaseInput:
    sale = make_sale(victim, make_shop(victim))
    return CaseInput(path_params={"sale_id": sale.pk}, body={}, snapshot=_sales(victim))


def _activate(victim: Organization) -> CaseInput:
    """The victim's code, client, group and lesson named in an attach: nothing is attached
    or booked."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import SYSTEM, make_branch
    from tests.factories_schedule import local, make_specialist
    from zapys.catalog.models import Group
    from zapys.schedule.models import Attendance
    from zapys.schedule.services import lesson_create

    branch = make_branch(victim, "Victim lessons")
    group = Group.objects.create(organization=victim, name="Victim group")
    day = timezone.localdate() + timedelta(days=2)
    (lesson,) = lesson_create(
        organization=victim,
        branch=branch,
        staff=make_specialist(victim, branch),
        group=group,
        starts_at=local(victim, day.year, day.month, day.day, 10),
        duration_minutes=60,
        client_ids=[],
        actor=SYSTEM,
    )
    sale = make_sale(victim, make_shop(victim))
    client = make_client(victim)
    return CaseInput(
        body={
            "code": sale.activation_code,
            "client_id": client.pk,
            "group_ids": [group.pk],
            "lesson_ids": [lesson.pk],
        },
        snapshot=lambda: (
            _sales(victim)(),
            list(Attendance.objects.for_org(victim).values_list("id", "client_id")),
        ),
    )


CASES = [
    CrossTenantCase("get", "/api/v1/storefront/settings", _settings_get, kind="own"),
    CrossTenantCase("patch", "/api/v1/storefront/settings", _settings_patch, kind="create"),
    CrossTenantCase("get", "/api/v1/storefront/plans", _plans_list, kind="own"),
    CrossTenantCase("patch", "/api/v1/storefront/plans/{plan_id}", _plan_patch),
    CrossTenantCase("get", "/api/v1/storefront/buttons", _buttons, kind="own"),
    CrossTenantCase("get", "/api/v1/online-sales", _sales_list, kind="list"),
    CrossTenantCase("get", "/api/v1/online-sales/{sale_id}", _sale_object),
    CrossTenantCase("post", "/api/v1/online-sales/activate", _activate, kind="create"),
    CrossTenantCase("post", "/api/v1/online-sales/{sale_id}/refund", _sale_object),
]
