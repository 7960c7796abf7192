"""A cancelled place on a group lesson marked "booked" again takes a seat back, as staff
adding a participant does: the seat offers the free seats no longer cover close and their
clients are told once (`attendance_mark` runs `hooks.run_seat_taking` before it locks the
lesson — a seat payment locks the offers, then the lesson, so the lesson never comes
first). Before, the offer stayed open, and its payment found the lesson full."""

from __future__ import annotations

from zapys.core.audit import Actor
from zapys.messaging.models import Message
from zapys.schedule import services as schedule
from zapys.schedule.models import Attendance
from zapys.waitlist.models import Entry, Offer
from zapys.waitlist.tests import test_seat_taken_by_staff as by_staff

SYSTEM = Actor.system("tests")
lesson_factory = by_staff.lesson_factory  # the fixture: a lesson with seated clients
_seat_offers, _written = by_staff._seat_offers, by_staff._written


def _cancel_one(lesson) -> Attendance:
    place = Attendance.objects.filter(visit=lesson).order_by("pk").first()
    return schedule.attendance_mark(attendance=place, state="cancelled", actor=SYSTEM)


def test_a_place_taken_back_closes_the_offer_of_the_last_seat(
    org, owner, lesson_factory, make_client
):
    lesson = lesson_factory(capacity=2, seated=2)
    place = _cancel_one(lesson)
    (offer,) = _seat_offers(org, lesson, [make_client("Waiting Wanda")])

    schedule.attendance_mark(attendance=place, state="planned", actor=Actor.staff(owner))

    offer.refresh_from_db()
    assert offer.status == "taken" and offer.closed_at is not None
    assert Entry.objects.get(pk=offer.entry_id).status == "waiting"  # keeps their place
    assert Message.objects.filter(client=offer.client, event="waitlist.offer_lost").count() == 1
    assert Attendance.objects.get(pk=place.pk).state == "planned"


def test_a_seat_still_free_keeps_the_offer_open(org, lesson_factory, make_client):
    lesson = lesson_factory(capacity=3, seated=2)
    place = _cancel_one(lesson)
    _seat_offers(org, lesson, [make_client("Waiting Wanda")])
    before = _written()
    schedule.attendance_mark(attendance=place, state="planned", actor=SYSTEM)
    assert _written() == before  # one seat left, held by the offer


def test_marks_that_take_no_seat_back_change_no_offer(org, lesson_factory, make_client):
    lesson = lesson_factory(capacity=2, seated=2)
    place = _cancel_one(lesson)
    _seat_offers(org, lesson, [make_client("Waiting Wanda")])
    before = _written()
    schedule.attendance_mark(attendance=place, state="cancelled", actor=SYSTEM)  # already
    other = Attendance.objects.filter(visit=lesson).exclude(pk=place.pk).get()
    schedule.attendance_mark(attendance=other, state="planned", actor=SYSTEM)  # already
    assert _written() == before
    assert set(Offer.objects.values_list("status", flat=True)) == {"open"}
