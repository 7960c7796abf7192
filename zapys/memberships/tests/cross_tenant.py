"""Organization A cannot reach B's membership plans or client memberships."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_ledger import make_client, make_membership, make_plan
from zapys.catalog.models import Service
from zapys.ledger.models import Entry
from zapys.memberships.models import ClientMembership, MembershipPlan


def _plans_snapshot():
    return list(
        MembershipPlan.objects.order_by("id").values_list("id", "name", "price", "is_archived")
    )


def _memberships_snapshot():
    return (
        list(
            ClientMembership.objects.order_by("id").values_list(
                "id", "status", "starts_on", "ends_on", "visits_used", "virtual_visits"
            )
        ),
        list(Entry.objects.order_by("id").values_list("id", "status")),
    )


def _plan(victim):
    plan = make_plan(victim, "Victim plan")
    return CaseInput(
        path_params={"plan_id": plan.pk},
        body={"name": "Hijacked", "price": 1},
        foreign_ids=[plan.pk],
        snapshot=_plans_snapshot,
    )


def _plan_create(victim):
    service = Service.objects.create(organization=victim, name="Victim service", price=100)
    return CaseInput(
        body={
            "name": "Mine",
            "price": 100,
            "covers_everything": False,
            "service_ids": [service.pk],
        },
        snapshot=_plans_snapshot,
    )


def _client_case(victim):
    client = make_client(victim)
    membership = make_membership(client)
    return CaseInput(
        path_params={"client_id": client.pk},
        body={"plan_id": membership.plan_id, "mode": "credit"},
        foreign_ids=[membership.pk],
        snapshot=_memberships_snapshot,
    )


def _membership(victim):
    membership = make_membership(make_client(victim))
    return CaseInput(
        path_params={"membership_id": membership.pk},
        body={"mode": "credit", "ends_on": "2030-01-01", "count": 1},
        snapshot=_memberships_snapshot,
    )


CASES = [
    CrossTenantCase("get", "/api/v1/membership-plans", _plan, kind="list"),
    CrossTenantCase("post", "/api/v1/membership-plans", _plan_create, kind="create"),
    CrossTenantCase("get", "/api/v1/membership-plans/{plan_id}", _plan),
    CrossTenantCase("patch", "/api/v1/membership-plans/{plan_id}", _plan),
    CrossTenantCase("post", "/api/v1/membership-plans/{plan_id}/archive", _plan),
    CrossTenantCase("get", "/api/v1/clients/{client_id}/memberships", _client_case),
    CrossTenantCase("post", "/api/v1/clients/{client_id}/memberships", _client_case),
    CrossTenantCase("get", "/api/v1/memberships/{membership_id}", _membership),
    CrossTenantCase("post", "/api/v1/memberships/{membership_id}/renew", _membership),
    CrossTenantCase("post", "/api/v1/memberships/{membership_id}/validity", _membership),
    CrossTenantCase("post", "/api/v1/memberships/{membership_id}/visits", _membership),
    CrossTenantCase("post", "/api/v1/memberships/{membership_id}/cancel", _membership),
]
