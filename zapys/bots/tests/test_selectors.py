"""The bot's "next visit": appointments and group lessons the client is on (attendance
rows), the earliest first, a cancelled place skipped; one query whatever the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_clients import make_client
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.bots.selectors import next_visit
from zapys.catalog.services import group_create
from zapys.schedule.models import Attendance
from zapys.schedule.services import lesson_create

pytestmark = pytest.mark.django_db


def _lesson(org, branch, staff, group, starts_at, clients):
    (lesson,) = lesson_create(
        organization=org,
        branch=branch,
        staff=staff,
        group=group,
        starts_at=starts_at,
        duration_minutes=60,
        client_ids=[c.pk for c in clients],
        actor=SYSTEM,
    )
    return lesson


def test_next_visit_includes_group_lessons_in_one_query(org, branch, django_assert_num_queries):
    olena = make_client(org, "Olena")
    staff = make_specialist(org, branch)
    group = group_create(organization=org, name="Stretching", actor=SYSTEM)
    base = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    make_visit(
        org, client=olena, staff=staff, service=make_service(org), starts_at=base, branch=branch
    )
    with django_assert_num_queries(1):
        assert next_visit(olena).kind == "individual"
    earlier = _lesson(org, branch, staff, group, base - timedelta(days=1), [olena])
    for n in range(5):  # more history: later lessons
        _lesson(org, branch, staff, group, base + timedelta(days=2 + n), [olena])
    with django_assert_num_queries(1):
        found = next_visit(olena)
        assert found.pk == earlier.pk and found.title == "Stretching"
    # Her place in that lesson cancelled: the appointment is next again.
    Attendance.objects.filter(visit=earlier, client=olena).update(state=Attendance.State.CANCELLED)
    assert next_visit(olena).kind == "individual"
