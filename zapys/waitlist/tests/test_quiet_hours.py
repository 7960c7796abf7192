"""Quiet hours: nobody is offered a freed time at night with 15 minutes to pay while they
sleep. A time freed in the organization's quiet hours (21:00–08:00 unless it sets others)
waits (`DeferredSlot`) and the `waitlist.offers` job offers it when they end — if it is
still free and still ahead — and the pay window counts from that morning message.

Every moment here is set, not read from the clock: the tests say the same at any hour."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories_schedule import make_visit
from zapys.core.audit import Actor
from zapys.messaging.models import Message
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import DeferredSlot, Entry, Offer, WaitlistSettings
from zapys.waitlist.sweeps import sweep

SYSTEM = Actor.system("tests")
KYIV = ZoneInfo("Europe/Kyiv")


@pytest.fixture
def quiet(org):
    """The organization's own quiet hours, 21:00–08:00, and 15 minutes to pay."""
    row = services.waitlist_settings_get(org)
    WaitlistSettings.objects.filter(pk=row.pk).update(
        quiet_from=time(21), quiet_to=time(8), offer_minutes=15
    )


@pytest.fixture
def freed(org, salon, booked_slot, make_client):
    """Tamara's 10:00 visit (two days ahead) cancelled, Fedir waiting for the service; the
    hook is not run here: each test offers the time at the moment it sets."""
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    entry = services.entry_create(
        organization=org,
        client=make_client("First Fedir"),
        service=service,
        date_from=day,
        date_to=day,
        actor=SYSTEM,
    )
    schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    return booked_slot, entry


def _at(visit, days_before: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the organization's day, `days_before` the visit's day."""
    day = timezone.localtime(visit.starts_at).date() - timedelta(days=days_before)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _offer_now(visit, now):
    return services.slots_offer(services.slots_of_visits([visit.pk], now), now)


def _written():
    return (
        sorted(Offer.objects.values_list("pk", "status", "expires_at")),
        sorted(Entry.objects.values_list("pk", "status")),
        sorted(Message.objects.values_list("client_id", "event")),
    )


def test_a_time_freed_at_night_is_offered_in_the_morning_with_the_whole_window(org, quiet, freed):
    visit, entry = freed
    night = _at(visit, 1, 23, 30)
    before = _written()
    assert _offer_now(visit, night) == []
    assert _written() == before  # no offer, no message, nobody's status moved
    (kept,) = DeferredSlot.objects.all()
    morning = _at(visit, 0, 8)
    assert (kept.source_id, kept.starts_at, kept.offer_at) == (visit.pk, visit.starts_at, morning)

    # freed again overnight (a lapsed offer, a removal): still one time waiting
    assert _offer_now(visit, night + timedelta(hours=2)) == []
    assert DeferredSlot.objects.count() == 1

    # the job before the morning leaves it
    result = sweep(morning - timedelta(minutes=1))
    assert (result.mornings, result.morning_offers) == (0, 0)
    assert _written() == before and DeferredSlot.objects.count() == 1

    result = sweep(morning)
    assert (result.mornings, result.morning_offers) == (1, 1)
    offer = Offer.objects.get()
    assert (offer.entry_id, offer.status) == (entry.pk, "open")
    assert offer.expires_at == morning + timedelta(minutes=15)  # counted from the message
    assert Message.objects.filter(client=entry.client, event="waitlist.offer").count() == 1
    assert not DeferredSlot.objects.exists()
    assert "offered now 1" in result.summary()


def test_a_time_freed_in_the_day_is_offered_at_once(org, quiet, freed):
    visit, entry = freed
    noon = _at(visit, 1, 12)
    (offer,) = _offer_now(visit, noon)
    assert (offer.entry_id, offer.expires_at) == (entry.pk, noon + timedelta(minutes=15))
    assert Message.objects.filter(client=entry.client, event="waitlist.offer").count() == 1
    assert not DeferredSlot.objects.exists()


def test_a_time_booked_overnight_is_not_offered_in_the_morning(
    org, quiet, freed, salon, make_client
):
    visit, _entry = freed
    specialist, service = salon
    _offer_now(visit, _at(visit, 1, 22))
    make_visit(
        org,
        client=make_client("Night Nina"),
        staff=specialist,
        service=service,
        starts_at=visit.starts_at,
    )
    before = _written()
    result = sweep(_at(visit, 0, 8, 1))
    assert (result.mornings, result.morning_offers) == (1, 0)
    assert _written() == before  # nothing offered, nobody told
    assert not DeferredSlot.objects.exists()  # and not kept for another morning


def test_a_time_starting_before_the_quiet_hours_end_is_dropped(org, quiet, freed):
    visit, _entry = freed
    # freed at 02:00 on the visit's own day, quiet until 08:00: a 10:00 time waits …
    _offer_now(visit, _at(visit, 0, 2))
    assert DeferredSlot.objects.count() == 1
    DeferredSlot.objects.all().delete()
    # … but with quiet hours until 10:00 nobody could be offered it in time
    WaitlistSettings.objects.update(quiet_to=time(10))
    before = _written()
    assert _offer_now(visit, _at(visit, 0, 2)) == []
    assert _written() == before and not DeferredSlot.objects.exists()


def test_an_offer_lapsing_at_night_passes_on_in_the_morning(org, quiet, freed, make_client):
    visit, first = freed
    second = services.entry_create(
        organization=org,
        client=make_client("Second Sofia"),
        service=first.service,
        date_from=first.date_from,
        date_to=first.date_to,
        actor=SYSTEM,
    )
    evening = _at(visit, 1, 20, 50)
    (offer,) = _offer_now(visit, evening)
    assert offer.entry_id == first.pk  # 20:50: sent, with 15 minutes to pay
    late = evening + timedelta(minutes=20)  # 21:10, quiet: it lapses, nobody is woken
    result = sweep(late)
    assert (result.expired, result.offered) == (1, 0)
    assert Entry.objects.get(pk=first.pk).status == "waiting"  # keeps their place
    assert not Message.objects.filter(client=second.client).exists()
    assert DeferredSlot.objects.count() == 1

    morning = _at(visit, 0, 8)
    sweep(morning)
    passed = Offer.objects.get(status="open")
    assert (passed.entry_id, passed.expires_at) == (second.pk, morning + timedelta(minutes=15))
    assert Message.objects.filter(client=second.client, event="waitlist.offer").count() == 1


def test_the_list_says_when_the_kept_times_are_offered(staff_client, org, quiet, freed):
    visit, _entry = freed
    page = staff_client.get("/waitlist/").content.decode()
    assert 'data-testid="deferred"' not in page
    assert "21:00–08:00" in page.split('data-testid="quiet-hours">')[1][:200]
    _offer_now(visit, _at(visit, 1, 23))
    page = staff_client.get("/waitlist/").content.decode()
    assert "08:00" in page.split('data-testid="deferred">')[1][:200]
