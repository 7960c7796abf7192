"""Staff adding a participant to a group lesson close the seat offers the free seats no
longer cover (`schedule.hooks.register_seat_taking`, as `register_time_taking` does for an
appointment's hours): when the last seat is taken, every other client's open seat offer of
that lesson closes, and each of them is told once (`waitlist.offer_lost`) and waits again.
The added client's own offer is booked by it, with no message. Another lesson's offers, and
offers still covered by a free seat, stay as they are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zapys.catalog.models import Subject
from zapys.core.audit import Actor
from zapys.core.exceptions import Conflict
from zapys.core.models import AuditLog
from zapys.messaging.models import Message
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Entry, Offer

SYSTEM = Actor.system("tests")


@pytest.fixture
def lesson_factory(org, branch, salon, make_client):
    specialist, _service = salon
    subject = Subject.objects.create(organization=org, name="Yoga")

    def make(capacity: int, seated: int, hour: int = 18):
        start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
            hour=hour, minute=0, second=0, microsecond=0
        )
        (lesson,) = schedule.lesson_create(
            organization=org,
            branch=branch,
            staff=specialist,
            starts_at=start,
            duration_minutes=60,
            actor=SYSTEM,
            subject=subject,
            capacity=capacity,
            price=20000,
            client_ids=[make_client(f"Seated {hour} {i}").pk for i in range(seated)],
        )
        return lesson

    return make


def _seat_offers(org, lesson, clients):
    """Each client waits for a seat of the lesson and is offered one (oldest first)."""
    for client in clients:
        services.entry_create(organization=org, client=client, lesson=lesson, actor=SYSTEM)
    now = timezone.now()
    return services.slots_offer(services.slots_of_visits([lesson.pk], now), now)


def _written():
    return (
        sorted(Offer.objects.values_list("pk", "status")),
        sorted(Entry.objects.values_list("pk", "status")),
        sorted(Message.objects.values_list("client_id", "event")),
    )


def test_the_last_seat_taken_by_staff_closes_the_others_offers_and_tells_them_once(
    org, owner, lesson_factory, make_client
):
    lesson = lesson_factory(capacity=2, seated=1)
    (offer,) = _seat_offers(org, lesson, [make_client("Waiting Wanda")])
    other_lesson = lesson_factory(capacity=2, seated=1, hour=20)
    (untouched,) = _seat_offers(org, other_lesson, [make_client("Other Olha")])

    schedule.lesson_participant_add(
        visit=lesson, client=make_client("Desk Dana"), actor=Actor.staff(owner)
    )

    offer.refresh_from_db()
    assert offer.status == "taken" and offer.closed_at is not None
    assert Entry.objects.get(pk=offer.entry_id).status == "waiting"  # keeps their place
    told = Message.objects.filter(client=offer.client, event="waitlist.offer_lost")
    assert told.count() == 1
    audit = AuditLog.objects.get(action="waitlist.offer_lost", object_id=str(offer.pk))
    assert audit.actor_user_id == owner.pk
    assert Offer.objects.get(pk=untouched.pk).status == "open"  # another lesson's seat


def test_a_seat_still_free_keeps_the_offer_open(org, lesson_factory, make_client):
    lesson = lesson_factory(capacity=3, seated=1)
    (_offer,) = _seat_offers(org, lesson, [make_client("Waiting Wanda")])
    before = _written()
    schedule.lesson_participant_add(visit=lesson, client=make_client("Desk Dana"), actor=SYSTEM)
    assert _written() == before  # one seat left, held by the offer


def test_two_offers_one_seat_left_the_newer_closes(org, lesson_factory, make_client):
    lesson = lesson_factory(capacity=4, seated=1)
    older, newer = _seat_offers(org, lesson, [make_client("Old Oksana"), make_client("New Nadia")])
    schedule.lesson_participant_add(visit=lesson, client=make_client("Desk Dana"), actor=SYSTEM)
    # a third seat for the two offers: both still covered
    assert set(Offer.objects.values_list("status", flat=True)) == {"open"}
    schedule.lesson_participant_add(visit=lesson, client=make_client("Desk Dmytro"), actor=SYSTEM)
    statuses = dict(Offer.objects.values_list("pk", "status"))
    assert statuses == {older.pk: "open", newer.pk: "taken"}
    assert Message.objects.filter(event="waitlist.offer_lost").count() == 1


def test_adding_the_offered_client_books_their_offer_without_a_message(
    org, owner, lesson_factory, make_client
):
    lesson = lesson_factory(capacity=2, seated=1)
    wanda = make_client("Waiting Wanda")
    (offer,) = _seat_offers(org, lesson, [wanda])
    messages_before = Message.objects.count()
    schedule.lesson_participant_add(visit=lesson, client=wanda, actor=Actor.staff(owner))
    offer.refresh_from_db()
    assert (offer.status, offer.visit_id, offer.booked_by_staff) == ("booked", lesson.pk, True)
    assert Entry.objects.get(pk=offer.entry_id).status == "booked"
    assert Message.objects.count() == messages_before
    assert AuditLog.objects.filter(
        action="waitlist.booked_by_staff", object_id=str(offer.pk)
    ).exists()


def test_a_refused_add_changes_no_offer(org, lesson_factory, make_client):
    lesson = lesson_factory(capacity=2, seated=1)
    (offer,) = _seat_offers(org, lesson, [make_client("Waiting Wanda")])
    seated = lesson.attendances.first().client
    before = _written()
    with pytest.raises(Conflict):
        schedule.lesson_participant_add(visit=lesson, client=seated, actor=SYSTEM)
    assert _written() == before
    assert Offer.objects.get(pk=offer.pk).status == "open"
