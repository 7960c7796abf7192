"""Numeric schedule settings have bounds wherever they are set (service, settings page, API),
and stored values from before the bounds are brought inside them."""

import importlib

import pytest
from django.apps import apps

from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.schedule import selectors, services
from zapys.schedule.models import ScheduleSettings


@pytest.mark.parametrize(
    "field, value",
    [
        ("online_min_lead_minutes", 2**31 - 1),
        ("online_min_lead_minutes", 30 * 24 * 60 + 1),
        ("online_days_ahead", 0),
        ("online_days_ahead", 366),
        ("online_rate_limit_per_minute", 0),
        ("online_rate_limit_per_minute", 1001),
    ],
)
def test_the_service_refuses_out_of_range_values(org, actor, field, value):
    before = (list(ScheduleSettings.objects.values()), AuditLog.objects.count())
    with pytest.raises(DomainError) as caught:
        services.schedule_settings_update(organization=org, actor=actor, **{field: value})
    assert caught.value.errors[0]["field"] == field
    assert "must be between" in caught.value.detail
    assert (list(ScheduleSettings.objects.values()), AuditLog.objects.count()) == before


def test_the_bounds_are_accepted(org, actor):
    obj = services.schedule_settings_update(
        organization=org,
        actor=actor,
        online_min_lead_minutes=30 * 24 * 60,
        online_days_ahead=365,
        online_rate_limit_per_minute=1000,
    )
    assert (obj.online_min_lead_minutes, obj.online_days_ahead) == (43200, 365)


def test_the_settings_page_shows_a_field_error(staff_client, org):
    selectors.schedule_settings_for(org)
    before = list(ScheduleSettings.objects.values())
    r = staff_client.post(
        "/settings/schedule/",
        {
            "form": "settings",
            "buffer_minutes": "0",
            "slot_step_minutes": "15",
            "online_booking_enabled": "on",
            "online_min_lead_minutes": "60",
            "online_days_ahead": "100000",
            "online_rate_limit_per_minute": "10",
        },
    )
    assert r.status_code == 200
    form = r.context["form"]
    # A field error, in the organization's language (Ukrainian).
    assert form.errors["online_days_ahead"] == [
        "«онлайн-запис: днів наперед»: значення має бути від 1 до 365."
    ]
    assert list(ScheduleSettings.objects.values()) == before


def test_stored_values_are_brought_inside_the_bounds(org):
    obj = selectors.schedule_settings_for(org)
    ScheduleSettings.objects.filter(pk=obj.pk).update(
        online_min_lead_minutes=2**31 - 1, online_days_ahead=0, online_rate_limit_per_minute=5
    )
    migration = importlib.import_module("zapys.schedule.migrations.0003_bound_settings")
    migration.clamp(apps, None)
    obj.refresh_from_db()
    assert (obj.online_min_lead_minutes, obj.online_days_ahead) == (43200, 1)
    assert obj.online_rate_limit_per_minute == 5  # in range: untouched
