"""The waiting list end to end in the services: a freed slot becomes an offer to the first
eligible client; paying books it and puts the money on the balance; unpaid offers pass on;
two payments for one slot book it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories_schedule import make_visit
from zapys.core.audit import Actor
from zapys.core.exceptions import Conflict, DomainError
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message
from zapys.messaging.rendering import moment_in_words
from zapys.payments.services import payment_succeed
from zapys.schedule import services as schedule
from zapys.schedule.models import Visit
from zapys.waitlist import services
from zapys.waitlist.models import Entry, Offer
from zapys.waitlist.sweeps import sweep

SYSTEM = Actor.system("tests")


def _wait(org, client, **kw):
    return services.entry_create(organization=org, client=client, actor=SYSTEM, **kw)


def _cancel(visit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=visit, actor=SYSTEM)


def test_cancelled_visit_is_offered_to_the_first_eligible_client(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    other_day = _wait(
        org,
        make_client("Other Day"),
        service=service,
        date_from=day + timedelta(1),
        date_to=day + timedelta(3),
    )
    first = _wait(org, make_client("First Fedir"), service=service, date_from=day, date_to=day)
    second = _wait(org, make_client("Second Sofia"), staff=specialist, date_from=day, date_to=day)

    _cancel(booked_slot, django_capture_on_commit_callbacks)

    offer = Offer.objects.get()
    assert (offer.entry_id, offer.status, offer.amount) == (first.pk, "open", 45000)
    assert offer.starts_at == booked_slot.starts_at and offer.staff_id == specialist.pk
    assert abs(offer.expires_at - offer.created_at - timedelta(minutes=15)) < timedelta(seconds=5)
    statuses = dict(Entry.objects.values_list("pk", "status"))
    assert statuses == {other_day.pk: "waiting", first.pk: "offered", second.pk: "waiting"}
    message = Message.objects.get(client=first.client)
    assert message.event == "waitlist.offer"
    assert f"/w/{offer.token}/" in message.text and "450" in message.text
    # the deadline names its day, in the message's language: «до 5 грудня о 14:30»
    deadline = timezone.localtime(offer.expires_at)
    with translation.override(org.language or "uk"):
        words = moment_in_words(deadline)
    assert f"{words}:" in message.text and str(deadline.day) in words


def test_paying_books_the_slot_and_the_money_is_on_the_balance(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    entry = _wait(org, make_client("Paying Petro"), service=service, date_from=day, date_to=day)
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    offer = Offer.objects.get()

    payment = services.offer_payment(offer=offer, actor=SYSTEM)
    assert services.offer_payment(offer=offer, actor=SYSTEM).pk == payment.pk  # same attempt
    payment_succeed(payment=payment, actor=SYSTEM)

    offer.refresh_from_db()
    entry.refresh_from_db()
    visit = Visit.objects.get(pk=offer.visit_id)
    assert (offer.status, entry.status) == ("booked", "booked")
    assert (visit.client_id, visit.starts_at, visit.staff_id, visit.price) == (
        entry.client_id,
        booked_slot.starts_at,
        specialist.pk,
        45000,
    )
    assert visit.blocks_time
    assert client_balance(entry.client) == 45000  # the prepayment covers the visit
    assert Message.objects.filter(client=entry.client, event="waitlist.booked").count() == 1


def test_unpaid_offers_pass_on_once_in_order_after_the_worker_was_down(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    entries = [
        _wait(org, make_client(f"Client {i}"), service=service, date_from=day, date_to=day)
        for i in range(3)
    ]
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    first_offer = Offer.objects.get()
    # The worker was down for two hours past the deadline; it runs twice on restart.
    later = timezone.now() + timedelta(hours=2)
    result = sweep(later)
    assert (result.expired, result.offered) == (1, 1)
    assert sweep(later).expired == 0  # nothing passes on twice

    first_offer.refresh_from_db()
    assert first_offer.status == "expired"
    second_offer = Offer.objects.get(status="open")
    assert second_offer.entry_id == entries[1].pk
    assert second_offer.expires_at == later + timedelta(minutes=15)  # their full time
    statuses = [Entry.objects.get(pk=e.pk).status for e in entries]
    # The first client missed it but keeps their place (waiting, not off the list).
    assert statuses == ["waiting", "offered", "waiting"]

    sweep(later + timedelta(minutes=16))
    assert Offer.objects.get(status="open").entry_id == entries[2].pk
    assert list(Offer.objects.order_by("id").values_list("entry_id", flat=True)) == [
        e.pk for e in entries
    ]
    # Everyone had this time once: the last lapse leaves it unoffered, nobody gets it twice,
    # and all three still wait (in their order) for the next freed time.
    result = sweep(later + timedelta(minutes=32))
    assert (result.expired, result.offered) == (1, 0)
    assert not Offer.objects.filter(status="open").exists()
    assert [Entry.objects.get(pk=e.pk).status for e in entries] == ["waiting"] * 3


def test_a_client_who_missed_an_offer_gets_the_next_freed_time_first(
    org, branch, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    first, second = (
        _wait(org, make_client(n), service=service, date_from=day, date_to=day)
        for n in ("Missed Marta", "Next Nazar")
    )
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    sweep(timezone.now() + timedelta(minutes=16))  # Marta missed it; Nazar has it now
    assert Offer.objects.get(status="open").entry_id == second.pk
    other = make_visit(
        org,
        client=make_client("Other Olha"),
        staff=specialist,
        service=service,
        starts_at=booked_slot.starts_at + timedelta(hours=2),
    )
    _cancel(other, django_capture_on_commit_callbacks)
    # Another time on the same day is freed: Marta kept her place, so it is hers.
    assert Offer.objects.get(status="open", source=other).entry_id == first.pk


def test_the_offer_length_is_the_organizations_setting(
    org, owner, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    _wait(org, make_client("Anna"), service=service, date_from=day, date_to=day)
    row = services.waitlist_settings_update(
        organization=org, offer_minutes=40, actor=Actor.staff(owner)
    )
    assert row.offer_minutes == 40
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    offer = Offer.objects.get()
    assert abs(offer.expires_at - offer.created_at - timedelta(minutes=40)) < timedelta(seconds=5)


@pytest.mark.parametrize("bad", [4, 1441, -1, "15", 2.5, True])
def test_the_offer_length_refuses_bad_values_and_changes_nothing(org, owner, bad):
    with pytest.raises(DomainError) as exc:
        services.waitlist_settings_update(
            organization=org, offer_minutes=bad, actor=Actor.staff(owner)
        )
    assert exc.value.errors[0]["field"] == "offer_minutes"
    assert services.waitlist_settings_get(org).offer_minutes == 15


def test_two_clients_paying_for_one_slot_exactly_one_gets_it(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    """A pays late (their offer lapsed and passed to B), B pays too: whoever's money
    arrives first gets the slot; the other's money stays on the balance and they are told."""
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    a, b = (
        _wait(org, make_client(n), service=service, date_from=day, date_to=day)
        for n in ("Anna", "Bohdan")
    )
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    offer_a = Offer.objects.get(entry=a)
    payment_a = services.offer_payment(offer=offer_a, actor=SYSTEM)  # A opened the link
    sweep(timezone.now() + timedelta(minutes=16))  # A's deadline passed: B's turn
    offer_b = Offer.objects.get(entry=b)
    payment_b = services.offer_payment(offer=offer_b, actor=SYSTEM)

    payment_b.refresh_from_db()
    payment_succeed(payment=payment_b, actor=SYSTEM)
    payment_a.refresh_from_db()
    payment_succeed(payment=payment_a, actor=SYSTEM)  # A's bank answered a moment later

    offer_a.refresh_from_db()
    offer_b.refresh_from_db()
    assert (offer_b.status, offer_a.status) == ("booked", "taken")
    live = Visit.objects.filter(starts_at=booked_slot.starts_at, blocks_time=True)
    assert list(live.values_list("client_id", flat=True)) == [b.client_id]
    assert client_balance(a.client) == 45000  # kept on A's balance
    assert Message.objects.filter(client=a.client, event="waitlist.slot_taken").count() == 1
    assert Entry.objects.get(pk=a.pk).status == "waiting"  # A keeps their place


def test_a_freed_seat_of_a_full_lesson_goes_to_the_lessons_waiting_list(
    org, branch, salon, make_client, django_capture_on_commit_callbacks
):
    from tests.factories_schedule import local
    from zapys.catalog.models import Subject
    from zapys.schedule.models import Attendance

    specialist, _service = salon
    subject = Subject.objects.create(organization=org, name="Yoga")
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    del local
    sitting = [make_client(f"Seat {i}") for i in range(2)]
    (lesson,) = schedule.lesson_create(
        organization=org,
        branch=branch,
        staff=specialist,
        starts_at=start,
        duration_minutes=60,
        actor=SYSTEM,
        subject=subject,
        capacity=2,
        price=20000,
        client_ids=[c.pk for c in sitting],
    )
    waiting = _wait(org, make_client("Waiting Wanda"), lesson=lesson)
    assert (waiting.date_from, waiting.service_id) == (start.date(), None)

    attendance = Attendance.objects.get(visit=lesson, client=sitting[0])
    with django_capture_on_commit_callbacks(execute=True):
        schedule.attendance_mark(attendance=attendance, state="cancelled", actor=SYSTEM)

    offer = Offer.objects.get()
    assert (offer.entry_id, offer.is_seat, offer.amount) == (waiting.pk, True, 20000)
    payment = services.offer_payment(offer=offer, actor=SYSTEM)
    payment_succeed(payment=payment, actor=SYSTEM)
    offer.refresh_from_db()
    assert offer.status == "booked"
    assert Attendance.objects.filter(visit=lesson, client=waiting.client).exists()
    assert client_balance(waiting.client) == 20000  # the seat's prepayment


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({}, "service_id"),
        ({"date_from": "+3", "date_to": "+1", "service": True}, "date_to"),
        ({"date_from": "-5", "date_to": "-2", "service": True}, "date_to"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_written(org, salon, make_client, kw, field):
    _specialist, service = salon
    today = timezone.localdate()
    args = {}
    if kw.pop("service", False):
        args["service"] = service
    for key, value in kw.items():
        args[key] = today + timedelta(days=int(value))
    with pytest.raises(DomainError) as caught:
        _wait(org, make_client(), **args)
    assert caught.value.errors[0]["field"] == field
    assert not Entry.objects.exists()


def test_the_same_wish_twice_is_a_conflict(org, salon, make_client):
    _specialist, service = salon
    client = make_client()
    _wait(org, client, service=service)
    with pytest.raises(Conflict):
        _wait(org, client, service=service)
    assert Entry.objects.count() == 1


def test_removing_an_offered_client_passes_the_slot_on(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    first, second = (
        _wait(org, make_client(n), service=service, date_from=day, date_to=day)
        for n in ("One", "Two")
    )
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_remove(entry=first, actor=SYSTEM)
    assert Entry.objects.get(pk=first.pk).status == "removed"
    assert Offer.objects.get(entry=first).status == "withdrawn"
    assert Offer.objects.get(status="open").entry_id == second.pk
    with pytest.raises(Conflict):
        services.entry_remove(entry=Entry.objects.get(pk=first.pk), actor=SYSTEM)
