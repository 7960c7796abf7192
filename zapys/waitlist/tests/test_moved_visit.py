"""A visit moved to another time (or another specialist) frees its old time the way a
cancelled one does: after the move commits, the waiting list offers it (`schedule.hooks.
register_after_time_vacated` → `slots_offer`). Both ways staff move a visit: the calendar's
drag / move dialog (`POST /visits/<id>/reschedule/`) and the API (`POST /api/v1/visits/
{id}/reschedule`). What must not move anything: a resize from the same start, a move whose
old time stays covered, a lesson moved, a refused move."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories_schedule import make_specialist
from zapys.core.audit import Actor
from zapys.messaging.models import Message
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Entry, Offer

SYSTEM = Actor.system("tests")


@pytest.fixture
def waiting(org, salon, booked_slot, make_client):
    """Fedir waits for the service on the day of Tamara's 10:00 visit."""
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    return services.entry_create(
        organization=org,
        client=make_client("First Fedir"),
        service=service,
        date_from=day,
        date_to=day,
        actor=SYSTEM,
    )


def _local(visit, hour: int) -> str:
    return timezone.localtime(visit.starts_at).replace(hour=hour).strftime("%Y-%m-%dT%H:%M")


def _written():
    return (
        sorted(Offer.objects.values_list("pk", "status", "starts_at")),
        sorted(Entry.objects.values_list("pk", "status")),
        sorted(Message.objects.values_list("client_id", "event")),
    )


def test_moving_in_the_calendar_offers_the_old_time(
    staff_client, org, booked_slot, waiting, django_capture_on_commit_callbacks
):
    old_start, old_end = booked_slot.starts_at, booked_slot.ends_at
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/visits/{booked_slot.pk}/reschedule/", {"starts_at": _local(booked_slot, 15)}
        )
    assert response.status_code in (200, 302), response.content[:300]
    booked_slot.refresh_from_db()
    assert timezone.localtime(booked_slot.starts_at).hour == 15  # the visit moved
    offer = Offer.objects.get()
    assert (offer.entry_id, offer.source_id, offer.status) == (waiting.pk, booked_slot.pk, "open")
    assert (offer.starts_at, offer.ends_at, offer.amount) == (old_start, old_end, booked_slot.price)
    assert Entry.objects.get(pk=waiting.pk).status == "offered"
    assert Message.objects.filter(client=waiting.client, event="waitlist.offer").count() == 1


def test_moving_through_the_api_offers_the_old_time(
    api, org, salon, booked_slot, waiting, django_capture_on_commit_callbacks
):
    specialist, _service = salon
    other = make_specialist(org, booked_slot.branch, first_name="Oksana", last_name="Koval")
    old_start = booked_slot.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        # the same hour, another specialist: Iryna's 10:00 is free
        response = api.post(
            f"/visits/{booked_slot.pk}/reschedule",
            {"starts_at": old_start.isoformat(), "staff_id": other.pk},
        )
    assert response.status == 200, response.body
    offer = Offer.objects.get()
    assert (offer.entry_id, offer.staff_id, offer.starts_at) == (
        waiting.pk,
        specialist.pk,
        old_start,
    )


def test_a_visit_moved_twice_offers_both_old_times(
    org, salon, booked_slot, waiting, make_client, django_capture_on_commit_callbacks
):
    """One visit, the source of two freed times: each is offered (to the next client
    each), neither blocks the other."""
    _specialist, service = salon
    second = services.entry_create(
        organization=org,
        client=make_client("Second Sofia"),
        service=service,
        date_from=waiting.date_from,
        date_to=waiting.date_to,
        actor=SYSTEM,
    )
    first_start = booked_slot.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_reschedule(
            visit=booked_slot, starts_at=first_start + timedelta(hours=3), actor=SYSTEM
        )
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_reschedule(
            visit=booked_slot, starts_at=first_start + timedelta(hours=6), actor=SYSTEM
        )
    offers = list(Offer.objects.order_by("starts_at").values_list("entry_id", "starts_at"))
    assert offers == [
        (waiting.pk, first_start),
        (second.pk, first_start + timedelta(hours=3)),
    ]


@pytest.mark.parametrize("how", ["resize", "overlap", "refused"])
def test_moves_that_free_no_whole_time_offer_nothing(
    org, salon, booked_slot, waiting, make_client, django_capture_on_commit_callbacks, how
):
    specialist, service = salon
    before = _written()
    start = booked_slot.starts_at
    with django_capture_on_commit_callbacks(execute=True):
        if how == "resize":  # the same start, a longer visit
            schedule.visit_update(
                visit=booked_slot, ends_at=booked_slot.ends_at + timedelta(minutes=30), actor=SYSTEM
            )
        elif how == "overlap":  # half an hour later: its old time is still half taken
            schedule.visit_reschedule(
                visit=booked_slot, starts_at=start + timedelta(minutes=30), actor=SYSTEM
            )
        else:  # onto a time that is taken: refused, nothing moved
            from tests.factories_schedule import make_visit

            make_visit(
                org,
                client=make_client("Busy Bohdan"),
                staff=specialist,
                service=service,
                starts_at=start + timedelta(hours=4),
            )
            with pytest.raises(Exception, match="already has a visit"):
                schedule.visit_reschedule(
                    visit=booked_slot, starts_at=start + timedelta(hours=4), actor=SYSTEM
                )
    assert _written() == before


def test_a_lesson_moved_offers_no_seat(
    org, branch, salon, make_client, django_capture_on_commit_callbacks
):
    from zapys.catalog.models import Subject

    specialist, _service = salon
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    (lesson,) = schedule.lesson_create(
        organization=org,
        branch=branch,
        staff=specialist,
        starts_at=start,
        duration_minutes=60,
        actor=SYSTEM,
        subject=Subject.objects.create(organization=org, name="Yoga"),
        capacity=1,
        price=20000,
        client_ids=[make_client("Seated Sasha").pk],
    )
    services.entry_create(
        organization=org, client=make_client("Waiting Wanda"), lesson=lesson, actor=SYSTEM
    )
    before = _written()
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_reschedule(visit=lesson, starts_at=start + timedelta(hours=1), actor=SYSTEM)
    assert _written() == before  # its participants moved with it: no seat is free
