"""`reminder_hours_before: 2147483647` was accepted, and then every booking creation of the
organization was a 500. Now it is refused wherever it is set, and a stored one is clamped."""

import importlib

import pytest
from django.apps import apps

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
)
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.prepayments import services
from zapys.prepayments.models import Booking, BookingType, PrepaymentSettings


def _state():
    return list(PrepaymentSettings.objects.values()), AuditLog.objects.count()


@pytest.mark.parametrize("value", [0, 721, 2**31 - 1])
def test_the_service_refuses_an_out_of_range_reminder(org, value):
    enable_prepayment(org)
    before = _state()
    with pytest.raises(DomainError) as caught:
        services.prepayment_settings_update(
            organization=org, actor=SYSTEM, reminder_enabled=True, reminder_hours_before=value
        )
    assert caught.value.errors == [
        {"field": "reminder_hours_before", "message": caught.value.detail}
    ]
    assert _state() == before


def test_the_settings_page_shows_the_field_error(staff_client, org):
    enable_prepayment(org)
    before = _state()
    r = staff_client.post(
        "/settings/prepayment/?tab=term",
        {
            "link_lifetime_hours": "24",
            "auto_cancel_after_minutes": "30",
            "reminder_enabled": "on",
            "reminder_hours_before": "2147483647",
        },
    )
    assert r.status_code == 200
    assert "reminder_hours_before" in r.context["form"].errors
    assert _state() == before


def test_a_fixed_booking_type_cannot_exceed_what_the_ledger_records(org):
    before = BookingType.objects.count()
    with pytest.raises(DomainError) as caught:
        make_booking_type(org, "fixed", 10**9 + 1)
    assert caught.value.errors[0]["field"] == "value"
    assert BookingType.objects.count() == before


def test_a_stored_reminder_is_clamped_and_bookings_work_again(org, branch):
    settings = enable_prepayment(org, reminder_enabled=True, reminder_hours_before=2)
    make_booking_type(org, "fixed", 20_000)
    PrepaymentSettings.objects.filter(pk=settings.pk).update(reminder_hours_before=2**31 - 1)
    with pytest.raises(OverflowError):  # what every booking creation did (a 500)
        make_booking(org, branch)
    migration = importlib.import_module("zapys.prepayments.migrations.0002_bound_reminder")
    migration.clamp(apps, None)
    settings.refresh_from_db()
    assert settings.reminder_hours_before == 720
    booking = make_booking(org, branch)
    assert Booking.objects.get() == booking
