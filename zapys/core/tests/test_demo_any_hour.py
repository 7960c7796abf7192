"""The demo opened at any hour shows today as a salon's day (the demo's leftovers, 2026-12-05).

Built before opening (04:13, 08:30) the demo's clock is last evening's (`core.demo.demo_now`),
but its calendar's today is the real date: today's visits are there, all still to come —
none arrived, none checked out. Built at 13:00 the morning's visits have happened and the
afternoon's are still to come. On a Sunday too: the demo salon works every day.

Each case builds the whole demo at that moment (time-machine), in a transaction rolled back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from zapys.accounts.models import Branch, Organization
from zapys.checkout.models import Checkout
from zapys.core.demo import DEMO_SLUG
from zapys.core.tenancy import org_scope, unscoped
from zapys.ledger.models import Entry
from zapys.schedule.models import Attendance, Visit

pytestmark = pytest.mark.demo

KYIV = ZoneInfo("Europe/Kyiv")
WEDNESDAY, SUNDAY = (2, 6)  # 2 and 6 December 2026


@pytest.fixture(
    scope="module",
    # Two moments, each a whole demo build (~15 s of CPU): a weekday before opening and a
    # Sunday afternoon cover the rule's two halves (all of today still to come; the morning
    # happened, the afternoon to come) and the salon's working Sunday. 04:13 is the module
    # core/tests/test_issue17_demo_salon.py builds at.
    params=[(WEDNESDAY, 8, 30), (SUNDAY, 13, 0)],
    ids=lambda p: f"2026-12-{p[0]:02d}T{p[1]:02d}:{p[2]:02d}",
)
def built(request, django_db_setup, django_db_blocker) -> Iterator[tuple[Organization, datetime]]:
    day, hour, minute = request.param
    moment = datetime(2026, 12, day, hour, minute, tzinfo=KYIV)
    with (
        django_db_blocker.unblock(),
        time_machine.travel(moment, tick=False),
        transaction.atomic(),
    ):
        call_command("demo", verbosity=0)
        with unscoped():
            org = Organization.objects.get(slug=DEMO_SLUG)
        with org_scope(org):
            yield org, moment
        transaction.set_rollback(True)


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment, KYIV)


def test_todays_calendar_has_the_days_visits(built, db):
    _org, now = built
    # the branch the top bar opens on (the first): its calendar of today
    centre = Branch.objects.order_by("pk").first()
    today = [
        v
        for v in Visit.objects.filter(branch=centre, blocks_time=True)
        if _local(v.starts_at).date() == now.date()
    ]
    assert len(today) >= 5, now
    coming = [v for v in today if v.starts_at > now]
    assert coming, now
    if now.hour < 9:  # before opening the whole day is still to come
        assert coming == today


def test_nothing_has_happened_after_now(built, db):
    _org, now = built
    # no one arrived at (nor missed) a visit still to come, none of them checked out
    marked = Attendance.objects.filter(visit__starts_at__gt=now).exclude(
        state__in=[Attendance.State.PLANNED, Attendance.State.CANCELLED]
    )
    assert list(marked.values_list("visit_id", "state")) == []
    assert not Checkout.objects.filter(visit__starts_at__gt=now).exists()
    assert not Visit.objects.filter(starts_at__gt=now, status__counts_as_came=True).exists()
    assert not Visit.objects.filter(starts_at__gt=now, status__is_no_show=True).exists()
    assert not Entry.objects.filter(created_at__gt=now).exists()
    if now.hour >= 13:  # the morning's visits happened
        came = Attendance.objects.filter(state=Attendance.State.ATTENDED).select_related("visit")
        assert any(_local(a.visit.starts_at).date() == now.date() for a in came)
