"""Issue 17: a visit the client's membership pays for asks no prepayment. The rules are not
asked (not even a "require" rule), an online self-booking starts no booking, staff cannot
ask for one (the client would pay twice), and the visit's booking page says why instead
of offering the form. A booking asked for before the membership was sold stays, and its
page tells staff the client need not pay it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import SYSTEM
from tests.factories_ledger import make_membership, make_plan
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from tests.pages import staff_page
from zapys.core.exceptions import Conflict
from zapys.core.models import AuditLog
from zapys.core.tenancy import organization_zone
from zapys.payments.models import Payment
from zapys.prepayments import selectors, services
from zapys.prepayments.models import Booking, BookingType
from zapys.schedule.models import Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org, branch):
    enable_prepayment(org, require_for_online=True)
    make_booking_type(org, "fixed", 20_000, name="Deposit")
    service = make_service(org, price=100_000)
    # even a rule that requires a prepayment for the service gives way to the membership
    services.prepayment_rule_create(
        organization=org, action="require", service=service, actor=SYSTEM, order=1
    )
    return service


def _member(org, visit_day, **plan_fields):
    client = make_client(org)
    make_membership(client, make_plan(org, **plan_fields), starts_on=visit_day)
    return client


def _day(org):
    return (timezone.now() + timedelta(days=2)).astimezone(organization_zone(org)).date()


def _counts(org):
    return (
        Booking.objects.for_org(org).count(),
        Payment.objects.for_org(org).count(),
        AuditLog.objects.filter(organization=org, action="booking.create").count(),
    )


def test_a_covering_membership_waives_the_prepayment_before_any_rule(org, branch, setup):
    client = _member(org, _day(org))
    visit = make_visit(org, branch, client=client, service=setup)
    decision = selectors.prepayment_decision(visit=visit)
    assert not decision.required
    assert decision.why == {"kind": "membership"}
    with translation.override("uk"):
        assert decision.reason == "передоплата не потрібна: візит покриває абонемент клієнта"
    with translation.override("en"):
        assert decision.reason == (
            "prepayment not needed: the client's membership covers the visit"
        )
    # the same service for a client without one: the rule requires it
    other = make_visit(org, branch, service=setup)
    assert selectors.prepayment_decision(visit=other).required


def test_a_membership_for_other_services_or_days_does_not_cover(org, branch, setup):
    elsewhere = make_service(org, price=100_000)
    narrow = _member(org, _day(org), covers_everything=False, services=[elsewhere])
    visit = make_visit(org, branch, client=narrow, service=setup)
    assert selectors.prepayment_decision(visit=visit).required
    # sold to start after the visit: not yet valid on its day
    later = _member(org, _day(org) + timedelta(days=7))
    visit = make_visit(org, branch, client=later, service=setup)
    assert selectors.prepayment_decision(visit=visit).required
    assert make_booking(org, branch, visit=visit).status == Booking.Status.PENDING


def test_staff_cannot_ask_a_member_to_prepay_and_nothing_is_written(org, branch, setup):
    client = _member(org, _day(org))
    visit = make_visit(org, branch, client=client, service=setup)
    before = _counts(org)
    with translation.override("en"), pytest.raises(Conflict) as refused:
        make_booking(org, branch, visit=visit)
    assert refused.value.detail == (
        "The client's membership covers this visit: there is nothing to prepay."
    )
    assert refused.value.errors == [{"field": "visit_id", "message": refused.value.detail}]
    assert _counts(org) == before
    visit.refresh_from_db()
    assert visit.booking_state == ""


def test_an_online_self_booking_of_a_member_starts_no_booking(org, branch, setup):
    client = _member(org, _day(org))
    before = _counts(org)
    visit = make_visit(org, branch, client=client, service=setup, source="online")
    services.online_visit_created(visit)
    assert _counts(org) == before
    # the same online booking by a client without a membership is asked to prepay
    stranger = make_visit(org, branch, service=setup, source="online")
    services.online_visit_created(stranger)
    assert Booking.objects.for_org(org).filter(visit=stranger).count() == 1


def test_the_visit_booking_page_says_the_membership_pays_and_offers_no_form(
    staff_client, owner, org, branch, setup
):
    client = _member(org, _day(org))
    visit = make_visit(org, branch, client=client, service=setup)
    uk = staff_page(staff_client, owner, "uk", "prepayments:visit_booking", visit.pk)
    assert 'data-testid="covered-note"' in uk
    assert "Цей візит покриває абонемент клієнта: передоплачувати нічого." in uk
    assert 'data-testid="create-booking"' not in uk
    assert f'href="/clients/{client.pk}/"' in uk
    en = staff_page(staff_client, owner, "en", "prepayments:visit_booking", visit.pk)
    assert "The client's membership covers this visit" in en
    # a forged POST is refused by the service: the page shows the error, nothing written
    before = _counts(org)
    response = staff_client.post(
        reverse("prepayments:visit_booking", args=[visit.pk]),
        {"channel": "sms", "booking_type": BookingType.objects.for_org(org).get().pk},
    )
    assert response.status_code == 200
    assert "there is nothing to prepay" in response.content.decode()
    assert _counts(org) == before


def test_a_booking_made_before_the_membership_was_sold_tells_staff_to_cancel_it(
    staff_client, owner, org, branch, setup
):
    client = make_client(org)
    visit = make_visit(org, branch, client=client, service=setup)
    booking = make_booking(org, branch, visit=visit)
    make_membership(client, make_plan(org), starts_on=_day(org))
    en = staff_page(staff_client, owner, "en", "prepayments:visit_booking", visit.pk)
    assert "The client's membership now covers this visit" in en
    uk = staff_page(staff_client, owner, "uk", "prepayments:visit_booking", visit.pk)
    assert "Тепер цей візит покриває абонемент клієнта" in uk
    # nothing was cancelled behind staff's back: the booking waits for their decision
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert Visit.objects.for_org(org).get(pk=visit.pk).booking_state == "pending"
