"""A waiting-list prepayment's refund reads its offer once, with what names it: a seat
offer's lesson (its group, subject or type) costs no query more than a service's time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from zapys.catalog.models import Subject
from zapys.core.audit import Actor
from zapys.ledger.models import Entry as LedgerEntry
from zapys.payments.models import Payment
from zapys.payments.services import payment_succeed
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Offer

SYSTEM = Actor.system("tests")


def _refund_queries(offer: Offer) -> tuple[int, str]:
    """Pay the offer, then run the refund's purpose step as the payments service does (the
    payment read fresh): its queries, and the ledger comment it wrote."""
    payment = services.offer_payment(offer=offer, actor=SYSTEM)
    payment_succeed(payment=payment, actor=SYSTEM)
    payment = Payment.objects.select_related("organization", "client", "branch").get(pk=payment.pk)
    with CaptureQueriesContext(connection) as queries:
        services.offer_refunded(payment, payment.amount, SYSTEM)
    refund = LedgerEntry.objects.filter(cause_type="payments.payment", kind="credit").latest("pk")
    with translation.override("en"):
        return len(queries), refund.comment_shown


@pytest.fixture
def seat_offer(org, branch, salon, make_client):
    specialist, _service = salon
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    (lesson,) = schedule.lesson_create(
        organization=org, branch=branch, staff=specialist, starts_at=start,
        duration_minutes=60, actor=SYSTEM, capacity=2, price=20000,
        subject=Subject.objects.create(organization=org, name="Yoga"),
    )  # fmt: skip
    services.entry_create(
        organization=org, client=make_client("Seat Sofia"), lesson=lesson, actor=SYSTEM
    )
    now = timezone.now()
    (offer,) = services.slots_offer(services.slots_of_visits([lesson.pk], now), now)
    return offer


@pytest.fixture
def time_offer(org, salon, booked_slot, make_client, django_capture_on_commit_callbacks):
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    services.entry_create(
        organization=org, client=make_client("Time Taras"), actor=SYSTEM,
        service=service, date_from=day, date_to=day,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    return Offer.objects.get()


def test_a_seat_offers_refund_costs_what_a_times_costs(seat_offer):
    """The lesson's name came from two queries more (the visit, then its subject): 14."""
    seat_queries, seat_comment = _refund_queries(seat_offer)
    assert seat_comment.startswith("Refund of the waiting list prepayment: Yoga, ")
    assert seat_queries <= REFUND_QUERIES


def test_a_times_refund(time_offer):
    queries, comment = _refund_queries(time_offer)
    assert comment.startswith("Refund of the waiting list prepayment: ")
    assert queries <= REFUND_QUERIES


REFUND_QUERIES = 12  # the offer (one joined read), the ledger refund and expense, the audit
