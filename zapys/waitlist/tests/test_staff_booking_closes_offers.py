"""A time staff book in the calendar closes the waiting-list offers holding it (issue 17):
before, only a paid, free or online booking did, and the offered client could still pay
for hours the desk had just given away (then learn the time was taken, money on balance).

The closing runs inside the visit's transaction, with the offers locked before the
specialist — the order a payment for an offer locks in. Each test checks what must not
change too: other specialists' offers, adjacent hours, another organization."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_branch, make_org
from tests.factories_payments import make_client as _make_client
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.catalog.models import Subject
from zapys.core.audit import Actor
from zapys.core.exceptions import Conflict
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.messaging.models import Message
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Entry, Offer

SYSTEM = Actor.system("tests")


def _wait(org, client, day, **kw):
    return services.entry_create(
        organization=org, client=client, actor=SYSTEM, date_from=day, date_to=day, **kw
    )


def _state():
    """Everything the waiting list wrote: offers, entries, messages, its audit rows."""
    return (
        sorted(Offer.objects.values_list("pk", "status", "entry_id", "visit_id")),
        sorted(Entry.objects.values_list("pk", "status")),
        sorted(Message.objects.values_list("client_id", "event")),
        AuditLog.objects.filter(action__startswith="waitlist.").count(),
    )


@pytest.fixture
def offered(org, salon, booked_slot, make_client, django_capture_on_commit_callbacks):
    """Tamara's 10:00 visit cancelled: Fedir, first on the list, holds its offer."""
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    entry = _wait(org, make_client("First Fedir"), day, service=service)
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    offer = Offer.objects.get(entry=entry)
    assert offer.status == "open"
    return offer


def test_a_staff_visit_over_the_offered_hours_closes_the_offer_and_tells_the_client_once(
    org, salon, owner, offered, make_client, django_capture_on_commit_callbacks
):
    specialist, service = salon
    with django_capture_on_commit_callbacks(execute=True):
        visit = schedule.visit_create(
            organization=org,
            client=make_client("Walk-in Vira"),
            staff=specialist,
            service=service,
            starts_at=offered.starts_at + timedelta(minutes=30),  # overlaps its second half
            actor=Actor.staff(owner),
        )

    offer = Offer.objects.get(pk=offered.pk)
    assert (offer.status, offer.visit_id) == ("taken", None) and offer.closed_at is not None
    assert Entry.objects.get(pk=offer.entry_id).status == "waiting"  # keeps their place
    told = Message.objects.filter(client=offer.client, event="waitlist.offer_lost")
    assert told.count() == 1
    assert "Manicure" in told.get().text
    lost = AuditLog.objects.get(action="waitlist.offer_lost", object_id=str(offer.pk))
    assert lost.actor_user_id == owner.pk  # the person who booked over it, not a robot
    assert visit.blocks_time


def test_the_offer_is_locked_before_the_specialist(org, salon, owner, offered, make_client):
    """A payment for the offer locks the offers, then the specialist (`offer_of_payment`,
    then `visit_create`); a staff booking taking them the other way round would deadlock
    with it on PostgreSQL."""
    specialist, service = salon
    walk_in = make_client("Walk-in Vira")
    with CaptureQueriesContext(connection) as ctx:
        schedule.visit_create(
            organization=org,
            client=walk_in,
            staff=specialist,
            service=service,
            starts_at=offered.starts_at,
            actor=Actor.staff(owner),
        )
    sql = [q["sql"] for q in ctx.captured_queries]
    offers_read = next(i for i, q in enumerate(sql) if 'FROM "waitlist_offer"' in q)
    specialist_locked = next(
        i
        for i, q in enumerate(sql)
        if q.startswith('SELECT "accounts_user"."id" AS "pk" FROM "accounts_user" WHERE')
        and f'"accounts_user"."id" = {specialist.pk} ' in q
    )
    assert offers_read < specialist_locked, sql


@pytest.mark.parametrize("minutes", [-60, 60])
def test_adjacent_hours_leave_the_offer_alone(
    org, salon, owner, offered, make_client, django_capture_on_commit_callbacks, minutes
):
    """A visit ending as the offer starts, or starting as it ends (a one-hour service)."""
    specialist, service = salon
    assert offered.ends_at - offered.starts_at == timedelta(minutes=60)
    before = _state()
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_create(
            organization=org,
            client=make_client("Walk-in Vira"),
            staff=specialist,
            service=service,
            starts_at=offered.starts_at + timedelta(minutes=minutes),
            actor=Actor.staff(owner),
        )
    assert _state() == before


def test_another_specialists_visit_at_the_same_hours_leaves_the_offer_alone(
    org, branch, salon, owner, offered, make_client, django_capture_on_commit_callbacks
):
    _specialist, service = salon
    other = make_specialist(org, branch, first_name="Olha", last_name="Shevchenko")
    before = _state()
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_create(
            organization=org,
            client=make_client("Walk-in Vira"),
            staff=other,
            service=service,
            starts_at=offered.starts_at,
            actor=Actor.staff(owner),
        )
    assert _state() == before


def test_a_refused_booking_leaves_the_offer_open(
    org, salon, owner, offered, make_client, django_capture_on_commit_callbacks
):
    """The time after the offer is busy: a 10:30–11:30 visit is refused, and the offer it
    would have overlapped is still the client's (the transaction undid the closing)."""
    specialist, service = salon
    make_visit(
        org,
        client=make_client("Later Lida"),
        staff=specialist,
        service=service,
        starts_at=offered.ends_at,
    )
    before = _state()
    with pytest.raises(Conflict), django_capture_on_commit_callbacks(execute=True):
        schedule.visit_create(
            organization=org,
            client=make_client("Walk-in Vira"),
            staff=specialist,
            service=service,
            starts_at=offered.starts_at + timedelta(minutes=30),
            actor=Actor.staff(owner),
        )
    assert _state() == before


def test_moving_a_visit_onto_the_offered_hours_closes_the_offer(
    org, salon, owner, offered, make_client, django_capture_on_commit_callbacks
):
    specialist, service = salon
    elsewhere = make_visit(
        org,
        client=make_client("Moved Myroslava"),
        staff=specialist,
        service=service,
        starts_at=offered.starts_at + timedelta(hours=3),
    )
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_reschedule(
            visit=elsewhere, starts_at=offered.starts_at, actor=Actor.staff(owner)
        )
    assert Offer.objects.get(pk=offered.pk).status == "taken"
    assert Message.objects.filter(client=offered.client, event="waitlist.offer_lost").count() == 1


def test_booking_the_waiting_client_by_phone_books_their_offer_without_a_message(
    org, salon, owner, offered, django_capture_on_commit_callbacks
):
    """The offered client rang the desk instead of paying: the offer and their entry are
    booked by the staff's visit; they are not told they lost a time they have just got."""
    specialist, service = salon
    messages_before = Message.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        visit = schedule.visit_create(
            organization=org,
            client=offered.client,
            staff=specialist,
            service=service,
            starts_at=offered.starts_at,
            actor=Actor.staff(owner),
        )
    offer = Offer.objects.get(pk=offered.pk)
    assert (offer.status, offer.visit_id) == ("booked", visit.pk)
    assert Entry.objects.get(pk=offer.entry_id).status == "booked"
    assert Message.objects.count() == messages_before
    # the audit says it in words: booked by staff, not through the offer's link
    assert AuditLog.objects.filter(
        action="waitlist.booked_by_staff", object_id=str(offer.pk)
    ).exists()
    assert Offer.objects.get(pk=offer.pk).booked_by_staff


def test_a_group_lesson_over_the_offered_hours_closes_the_offer(org, branch, salon, owner, offered):
    specialist, _service = salon
    schedule.lesson_create(
        organization=org,
        branch=branch,
        staff=specialist,
        subject=Subject.objects.create(organization=org, name="Yoga"),
        starts_at=offered.starts_at,
        duration_minutes=45,
        capacity=5,
        actor=Actor.staff(owner),
    )
    assert Offer.objects.get(pk=offered.pk).status == "taken"


def test_another_organizations_offer_is_never_touched(
    org, salon, owner, offered, make_client, django_capture_on_commit_callbacks
):
    """Salon B has a client holding an offer for the same hours of its own specialist;
    salon A's booking closes A's offer and leaves B's rows and messages as they were."""
    other = make_org("Salon B")
    with org_scope(other):
        b_branch = make_branch(other, "B")
        b_spec = make_specialist(other, b_branch, first_name="Bohdana")
        b_service = make_service(other, "Pedicure", price=30000, branches=[b_branch])
        b_taken = make_visit(
            other,
            client=_make_client(other, "B Taken"),
            staff=b_spec,
            service=b_service,
            starts_at=offered.starts_at,
        )
        _wait(
            other,
            _make_client(other, "B Waiting"),
            timezone.localtime(offered.starts_at).date(),
            service=b_service,
        )
        with django_capture_on_commit_callbacks(execute=True):
            schedule.visit_cancel(visit=b_taken, actor=SYSTEM)
        b_before = _state()
        assert [row[1] for row in b_before[0]] == ["open"]

    specialist, service = salon
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_create(
            organization=org,
            client=make_client("Walk-in Vira"),
            staff=specialist,
            service=service,
            starts_at=offered.starts_at,
            actor=Actor.staff(owner),
        )

    assert Offer.objects.get(pk=offered.pk).status == "taken"
    with org_scope(other):
        assert _state() == b_before
