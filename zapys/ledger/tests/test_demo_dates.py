"""The demo's money has a history (issue 17): charges, payments, membership sales and till
operations are dated over the past weeks, when they would have happened, not all at the
moment the demo was loaded; the client's balance history and the payments report show it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.demo_build import demo_built
from zapys.accounts.models import User
from zapys.core.tenancy import org_scope, organization_zone
from zapys.ledger.models import Entry, FinancialOperation
from zapys.memberships.models import ClientMembership
from zapys.schedule.models import Attendance

pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    with demo_built(django_db_blocker) as org:  # one build for the module's tests
        yield org


@pytest.fixture
def demo(demo_once, db):
    with org_scope(demo_once), timezone.override(organization_zone(demo_once)):
        yield demo_once


def _day(moment):
    return timezone.localtime(moment).date()


def test_the_demo_charges_and_payments_spread_over_past_weeks(demo):
    now = timezone.now()
    today = timezone.localdate()
    assert not Entry.objects.filter(created_at__gt=now).exists()
    # the desk's charges for services: a month of days, not one
    charged = {_day(e.created_at) for e in Entry.objects.filter(purpose=Entry.Purpose.SERVICE)}
    assert len(charged) >= 15, sorted(charged)
    assert min(charged) <= today - timedelta(days=20)
    # what was loaded "today" is today's business, a small part of the whole
    entries = Entry.objects.exclude(purpose=Entry.Purpose.OPENING_BALANCE)
    assert (
        entries.filter(created_at__date__lt=today).count()
        > 3 * entries.filter(created_at__date__gte=today).count()
    )
    # the till: the month's rent and the polish bought a week ago, not at load time
    expenses = FinancialOperation.objects.filter(kind="expense", client__isnull=True)
    assert {_day(op.created_at) for op in expenses} != {today}


def test_a_membership_is_sold_the_day_it_starts(demo):
    today = timezone.localdate()
    sold = ClientMembership.objects.filter(starts_on__lt=today)
    assert sold.count() >= 5
    for membership in sold:
        entries = Entry.objects.filter(
            cause_type="memberships.clientmembership", cause_id=membership.pk
        )
        assert {_day(e.created_at) for e in entries} <= {membership.starts_on}, membership


def test_the_balance_history_and_the_payments_report_show_the_days(demo, client):
    client.force_login(User.objects.get(username="owner"))
    client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    entry = (
        Entry.objects.filter(purpose=Entry.Purpose.SERVICE, comment="Стрижка жіноча")
        .order_by("created_at")
        .first()
    )
    assert entry is not None and _day(entry.created_at) < timezone.localdate() - timedelta(days=7)
    shown = timezone.localtime(entry.created_at).strftime("%d.%m.%Y %H:%M")
    card = client.get(f"/clients/{entry.client_id}/payments/").content.decode()
    assert shown in card
    day = _day(entry.created_at).strftime("%d.%m.%Y")
    report = client.get(
        "/finance/payments/", {"date_from": day, "date_to": day, "purpose": "service"}
    ).content.decode()
    assert shown in report


def test_a_past_visit_is_marked_and_charged_when_it_ended(demo):
    """Tour 6, #4: yesterday's visits charged to the balance were marked, and charged, at
    the moment the demo was loaded (a charge «05.12 09:33» for a visit of 4 December). Each
    arrival or no-show is marked when its visit ended; its charge, with it."""
    now = timezone.now()
    marked = list(
        Attendance.objects.filter(state__in=[Attendance.State.ATTENDED, Attendance.State.ABSENT])
        .exclude(marked_at=None)
        .select_related("visit")
    )
    assert len(marked) > 100
    late = [
        (a.visit.title, a.visit.starts_at, a.marked_at)
        for a in marked
        if not a.visit.starts_at <= a.marked_at <= min(a.visit.ends_at, now)
    ]
    assert late == []
    charges = Entry.objects.filter(purpose=Entry.Purpose.SERVICE, cause_type="schedule.attendance")
    by_attendance = Attendance.objects.select_related("visit").in_bulk(
        [int(e.cause_id) for e in charges]
    )
    assert len(by_attendance) > 100
    # charged on the visit's day (at the desk, or from the balance on arrival)
    wrong_day = [
        (e.comment, e.created_at)
        for e in charges
        if _day(e.created_at) != _day(by_attendance[int(e.cause_id)].visit.starts_at)
    ]
    assert wrong_day == []
    # this week's visits (the schedule's) among them, not only the desk's history
    assert [a for a in by_attendance.values() if a.visit.starts_at > now - timedelta(days=4)]
