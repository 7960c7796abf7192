"""Cross-tenant cases for every prepayment API operation."""

from __future__ import annotations

from typing import Any

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_service,
    make_visit,
)
from zapys.accounts.models import Branch, Organization
from zapys.prepayments.models import Booking, BookingType, CancellationPolicy, Fee
from zapys.prepayments.services import policy_presets_ensure, prepayment_settings_get
from zapys.schedule.models import Visit


def _victim_booking(victim: Organization) -> Any:
    enable_prepayment(victim)
    make_booking_type(victim, "fixed", 10_000)
    branch = Branch.objects.for_org(victim).first()
    return make_booking(victim, branch)


def _snapshot(booking: Any) -> Any:
    return lambda: list(
        Booking.objects.for_org(booking.organization).values_list("id", "status", "paid_late")
    )


def _booking_object(victim: Organization) -> CaseInput:
    booking = _victim_booking(victim)
    return CaseInput(path_params={"booking_id": booking.pk}, body={}, snapshot=_snapshot(booking))


def _visit_case(victim: Organization) -> CaseInput:
    enable_prepayment(victim)
    make_booking_type(victim, "fixed", 10_000)
    visit = make_visit(victim, Branch.objects.for_org(victim).first())
    return CaseInput(
        path_params={"visit_id": visit.pk},
        body={},
        snapshot=lambda: Booking.objects.for_org(victim).count(),
    )


def _list_case(victim: Organization) -> CaseInput:
    booking = _victim_booking(victim)
    return CaseInput(foreign_ids=[booking.pk])


def _types_list(victim: Organization) -> CaseInput:
    return CaseInput(foreign_ids=[make_booking_type(victim, "fixed", 5_000).pk])


def _type_create(victim: Organization) -> CaseInput:
    # The body cannot name a foreign object; a bad body is refused and B is untouched.
    return CaseInput(
        body={"name": "", "rule": "fixed", "value": 0},
        snapshot=lambda: BookingType.objects.for_org(victim).count(),
    )


def _settings_get(victim: Organization) -> CaseInput:
    settings = enable_prepayment(victim, page_business_name="Victim salon")

    def check(body: Any, org: Organization) -> None:
        assert body["payment_account_id"] != settings.payment_account_id
        assert body["page_business_name"] != "Victim salon"

    return CaseInput(check=check)


def _settings_patch(victim: Organization) -> CaseInput:
    account = make_account(victim, "sandbox")
    return CaseInput(
        body={"payment_account_id": account.pk},
        snapshot=lambda: prepayment_settings_get(victim).payment_account_id,
    )


def _policy_list(victim: Organization) -> CaseInput:
    policies = policy_presets_ensure(victim)
    return CaseInput(foreign_ids=[p.pk for p in policies])


def _policy_create(victim: Organization) -> CaseInput:
    # A body naming B's service is refused; B's policies are untouched.
    service = make_service(victim)
    return CaseInput(
        body={"name": "Mine", "service_ids": [service.pk]},
        snapshot=lambda: CancellationPolicy.objects.for_org(victim).count(),
    )


def _policy_object(victim: Organization) -> CaseInput:
    policy = policy_presets_ensure(victim)[0]
    return CaseInput(
        path_params={"policy_id": policy.pk},
        body={"late_cancel_fee_percent": 100},
        snapshot=lambda: list(
            CancellationPolicy.objects.for_org(victim).values_list("id", "late_cancel_fee_percent")
        ),
    )


def _victim_fee(victim: Organization) -> Any:
    booking = _victim_booking(victim)
    return Fee.objects.for_org(victim).create(
        organization=victim,
        visit=booking.visit,
        booking=booking,
        client=booking.client,
        kind=Fee.Kind.NO_SHOW,
        amount=5_000,
    )


def _fee_list(victim: Organization) -> CaseInput:
    return CaseInput(foreign_ids=[_victim_fee(victim).pk])


def _fee_object(victim: Organization) -> CaseInput:
    fee = _victim_fee(victim)
    return CaseInput(
        path_params={"fee_id": fee.pk},
        body={"reason": "mine now"},
        snapshot=lambda: list(Fee.objects.for_org(victim).values_list("id", "state")),
    )


def _no_show(victim: Organization) -> CaseInput:
    visit = make_visit(victim, Branch.objects.for_org(victim).first())
    return CaseInput(
        path_params={"visit_id": visit.pk},
        body={},
        snapshot=lambda: (
            list(Visit.objects.for_org(victim).values_list("id", "status_id", "blocks_time"))
            + list(Fee.objects.for_org(victim).values_list("id"))
        ),
    )


CASES = [
    CrossTenantCase("get", "/api/v1/prepayment/settings", _settings_get, kind="own"),
    CrossTenantCase("patch", "/api/v1/prepayment/settings", _settings_patch, kind="create"),
    CrossTenantCase("get", "/api/v1/booking-types", _types_list, kind="list"),
    CrossTenantCase("post", "/api/v1/booking-types", _type_create, kind="create"),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/booking", _visit_case),
    CrossTenantCase("get", "/api/v1/bookings", _list_case, kind="list"),
    CrossTenantCase("get", "/api/v1/bookings/{booking_id}", _booking_object),
    CrossTenantCase("post", "/api/v1/bookings/{booking_id}/pay-from-balance", _booking_object),
    CrossTenantCase("post", "/api/v1/bookings/{booking_id}/cancel", _booking_object),
    CrossTenantCase("get", "/api/v1/cancellation-policies", _policy_list, kind="list"),
    CrossTenantCase("post", "/api/v1/cancellation-policies", _policy_create, kind="create"),
    CrossTenantCase("patch", "/api/v1/cancellation-policies/{policy_id}", _policy_object),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/no-show", _no_show),
    CrossTenantCase("get", "/api/v1/fees", _fee_list, kind="list"),
    CrossTenantCase("post", "/api/v1/fees/{fee_id}/waive", _fee_object),
]
