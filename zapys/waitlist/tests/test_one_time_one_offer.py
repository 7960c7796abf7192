"""One freed time, one client holding it (issue 17 review: a time booked by one client was
still "Awaiting payment" for another, who was never told).

- A waiting-list booking closes every other open offer of that time and tells its client.
- An online booking of an offered time closes that offer the same way.
- A time booked again over an offered one closes the offer; cancelled again, it is offered
  once more, to the oldest waiting client (never two open offers for one time).

Each checks what must not change too: other specialists' offers, other waiting clients, money.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories_schedule import make_specialist, make_visit
from zapys.core.audit import Actor
from zapys.core.models import AuditLog
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message
from zapys.payments.services import payment_succeed
from zapys.schedule import services as schedule
from zapys.schedule.models import Visit
from zapys.waitlist import services
from zapys.waitlist.models import Entry, Offer
from zapys.waitlist.sweeps import sweep

SYSTEM = Actor.system("tests")


def _wait(org, client, day, **kw):
    return services.entry_create(
        organization=org, client=client, actor=SYSTEM, date_from=day, date_to=day, **kw
    )


def _cancel(visit, capture):
    with capture(execute=True):
        schedule.visit_cancel(visit=visit, actor=SYSTEM)


def _state():
    """Everything the waiting list wrote: offers, entries, messages, its audit rows."""
    return (
        sorted(Offer.objects.values_list("pk", "status", "entry_id")),
        sorted(Entry.objects.values_list("pk", "status")),
        sorted(Message.objects.values_list("client_id", "event")),
        AuditLog.objects.filter(action__startswith="waitlist.").count(),
    )


def test_a_late_payment_that_books_the_time_closes_the_next_clients_offer_and_tells_them(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    """A opened the link, then the offer lapsed and passed to B; A's money arrives first:
    A gets the time, B's offer closes, B is back to waiting and told the time was taken
    (before, B's offer closed silently and B's link was the only way to learn it)."""
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    a, b = (_wait(org, make_client(n), day, service=service) for n in ("Anna", "Bohdan"))
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    offer_a = Offer.objects.get(entry=a)
    payment_a = services.offer_payment(offer=offer_a, actor=SYSTEM)
    sweep(timezone.now() + timedelta(minutes=16))  # A's deadline passed: B's turn
    offer_b = Offer.objects.get(entry=b)
    assert offer_b.status == "open"

    payment_a.refresh_from_db()
    payment_succeed(payment=payment_a, actor=SYSTEM)

    offer_a.refresh_from_db()
    offer_b.refresh_from_db()
    assert (offer_a.status, offer_b.status) == ("booked", "taken")
    assert offer_b.closed_at is not None
    assert Entry.objects.get(pk=b.pk).status == "waiting"  # B keeps their place
    told = Message.objects.filter(client=b.client, event="waitlist.offer_lost")
    assert told.count() == 1
    assert "Manicure" in told.get().text
    assert not Message.objects.filter(client=b.client, event="waitlist.slot_taken").exists()
    assert AuditLog.objects.filter(action="waitlist.offer_lost", object_id=str(offer_b.pk)).exists()
    assert client_balance(b.client) == 0  # B paid nothing and is charged nothing


def test_an_online_booking_of_an_offered_time_closes_the_offer_and_tells_the_client(
    org, branch, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    # another specialist's time at the same hour, offered too: it must stay offered
    other = make_specialist(org, branch, first_name="Olha", last_name="Shevchenko")
    other_visit = make_visit(
        org,
        client=make_client("Taken Taras"),
        staff=other,
        service=service,
        starts_at=booked_slot.starts_at,
    )
    first = _wait(org, make_client("First Fedir"), day, service=service, staff=specialist)
    elsewhere = _wait(org, make_client("Other Olena"), day, service=service, staff=other)
    behind = _wait(org, make_client("Behind Bohdana"), day, service=service, staff=specialist)
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    _cancel(other_visit, django_capture_on_commit_callbacks)
    held = Offer.objects.get(entry=first)
    kept = Offer.objects.get(entry=elsewhere)
    before = _state()

    with django_capture_on_commit_callbacks(execute=True):
        visit = schedule.online_booking_create(
            organization=org,
            service=service,
            staff=specialist,
            starts_at=booked_slot.starts_at,
            first_name="Walk",
            last_name="In",
            phone="067 123 45 67",
            consent=True,
            ip="10.0.0.9",
        )

    assert visit.blocks_time and visit.staff_id == specialist.pk
    held.refresh_from_db()
    assert held.status == "taken" and held.closed_at is not None
    assert Entry.objects.get(pk=first.pk).status == "waiting"
    assert Message.objects.filter(client=first.client, event="waitlist.offer_lost").count() == 1
    # nothing else changed: the other specialist's offer, the client behind, their messages
    offers, entries, sent, audits = _state()
    assert [o for o in offers if o[0] != held.pk] == [o for o in before[0] if o[0] != held.pk]
    assert dict(entries)[elsewhere.pk] == "offered" and dict(entries)[behind.pk] == "waiting"
    assert Offer.objects.get(pk=kept.pk).status == "open"
    # the one who booked is told their booking (visit_messages), the waiting clients only this
    new_messages = sorted(set(sent) - set(before[2]))
    assert [m for m in new_messages if m[0] != visit.client_id] == [
        (first.client_id, "waitlist.offer_lost")
    ]
    assert [m for m in new_messages if m[0] == visit.client_id] == [
        (visit.client_id, "visit_messages.confirmation")
    ]
    assert audits == before[3] + 1
    assert not Offer.objects.filter(entry=behind).exists()  # the time is booked: no re-offer


def test_a_time_booked_over_an_offer_and_cancelled_again_is_offered_once(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    """The first client holds the time's offer; staff book the same hours for someone else
    (the first client loses the offer and is told), then cancel them again. The freed hours
    go to the first client again, the oldest waiting: never two open offers for one time."""
    specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    first = _wait(org, make_client("First Fedir"), day, service=service)
    second = _wait(org, make_client("Second Sofia"), day, service=service)
    _cancel(booked_slot, django_capture_on_commit_callbacks)
    held = Offer.objects.get()
    again = make_visit(
        org,
        client=make_client("Phone Pavlo"),
        staff=specialist,
        service=service,
        starts_at=booked_slot.starts_at,
    )
    assert Offer.objects.get(pk=held.pk).status == "taken"

    _cancel(again, django_capture_on_commit_callbacks)

    assert Visit.objects.get(pk=again.pk).blocks_time is False
    assert list(Offer.objects.filter(status="open").values_list("source_id", "entry_id")) == [
        (again.pk, first.pk)
    ]
    assert Entry.objects.get(pk=second.pk).status == "waiting"
    assert not Message.objects.filter(client=second.client).exists()
