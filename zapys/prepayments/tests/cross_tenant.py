"""Cross-tenant cases for every prepayment API operation."""

from __future__ import annotations

from typing import Any

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.accounts.models import Branch, Organization
from zapys.prepayments.models import Booking, BookingType
from zapys.prepayments.services import prepayment_settings_get


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
]
