"""A freed time kept through the quiet hours comes back as it went in: `DeferredSlot` is
written from a `Slot` and read back into one through one field list (`SLOT_FIELDS`, the
dataclass's own fields), so a field added to `Slot` cannot be dropped on the way."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.schedule import services as schedule
from zapys.waitlist import services, sweeps
from zapys.waitlist.models import DeferredSlot, Offer, WaitlistSettings

SYSTEM = Actor.system("tests")


@pytest.fixture
def night(org, booked_slot) -> datetime:
    """The organization's quiet hours (21:00–08:00); 23:30 the evening before the visit."""
    row = services.waitlist_settings_get(org)
    WaitlistSettings.objects.filter(pk=row.pk).update(quiet_from=time(21), quiet_to=time(8))
    day = timezone.localtime(booked_slot.starts_at).date() - timedelta(days=1)
    return datetime.combine(day, time(23, 30), tzinfo=timezone.get_current_timezone())


def test_a_time_kept_for_the_morning_comes_back_with_every_field(org, booked_slot, night):
    schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    (freed,) = services.slots_of_visits([booked_slot.pk], night)
    # every field unlike its default, so a field lost on the way would show
    slot = replace(freed, is_seat=True, amount=12_345, ends_at=freed.ends_at + timedelta(minutes=5))
    assert slot.service_id is not None
    assert services.slots_offer([slot], night) == []  # kept for the morning
    (row,) = DeferredSlot.objects.values(*sweeps._DEFERRED_FIELDS)
    assert services.slot_of_deferred(row) == slot


def test_every_slot_field_is_a_column_of_an_offer_and_a_kept_time():
    names = {f.name for f in fields(services.Slot)}
    assert set(services.SLOT_FIELDS) == names
    for model in (Offer, DeferredSlot):
        assert names <= {f.attname for f in model._meta.concrete_fields}, model
