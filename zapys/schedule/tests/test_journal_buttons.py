"""«Візити дня» offers only the marks the service accepts (schedule/actions.py).

A cancelled visit offered «Зняти відмітку» and «Відмітити прихід», which `attendance_mark`
then refused («Візит скасовано»). For a visit in each status the system has — the seeded
ones and the system ones — every button the page offers is pressed (each in a transaction
rolled back after it, so each starts from the same row): it must succeed; every mark the
page leaves out is sent too: it must be refused, and nothing changes.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, local, make_visit
from zapys.schedule import services
from zapys.schedule.models import Attendance, Visit, VisitStatus
from zapys.schedule.services.statuses import DEFAULT_STATUSES, ON_REQUEST_STATUS_NAMES

pytestmark = pytest.mark.django_db

#: a past day: «прийшов» / «не прийшов» are offered from the visit's day on
#: (`services.attendance.marks_open`), and every button here is pressed
DAY = "2025-03-04"
STATES = set(Attendance.State.values)
#: every status a visit can be in without the organization making one
CODES = [code for code, *_rest in DEFAULT_STATUSES] + list(ON_REQUEST_STATUS_NAMES)
#: what a client's row of a visit in each status offers
OFFERED = {
    "booked": {"attended", "absent", "cancelled"},
    "confirmed": {"attended", "absent", "cancelled"},
    "came": {"planned", "absent", "cancelled"},
    "no_show": {"planned", "attended", "cancelled"},
    "cancelled": set(),
    "cancelled_unpaid": set(),
    "prepayment_unpaid": set(),
}


def _status(org, code: str) -> VisitStatus:
    statuses = services.visit_statuses_ensure(organization=org)
    if code not in statuses:  # the prepayment settings' own system status, made on request
        statuses[code] = VisitStatus.objects.create(
            organization=org,
            code=code,
            name=ON_REQUEST_STATUS_NAMES[code],
            color="#dc3545",
            order=70,
            is_cancellation=True,
            hidden_in_calendar=True,
            is_system=True,
        )
    # the system's cancellations leave the calendar: shown here, so their rows are tried too
    VisitStatus.objects.filter(pk=statuses[code].pk).update(hidden_in_calendar=False)
    return statuses[code]


def _offered(staff_client) -> dict[int, set[str]]:
    """Each client row of the day's page: attendance id → the states its buttons send."""
    response = staff_client.get(f"/attendance/?date={DAY}")
    assert response.status_code == 200
    rows: dict[int, set[str]] = {}
    for row in response.content.decode().split('data-testid="journal-row"')[1:]:
        row = row.split("</li>", 1)[0]
        forms = re.findall(r'action="/attendance/(\d+)/".*?name="state" value="(\w+)"', row)
        ids = {int(pk) for pk, _state in forms}
        assert len(ids) <= 1, row
        if ids:
            rows[ids.pop()] = {state for _pk, state in forms}
        else:
            rows[-len(rows) - 1] = set()  # a row with no button
    return rows


def _press(staff_client, attendance: Attendance, state: str) -> bool:
    """Send the mark as the page's button does; whether the service took it. Rolled back,
    so the next try starts from the same rows."""
    with transaction.atomic():
        before = {
            "state": attendance.state,
            "status": Visit.objects.get(pk=attendance.visit_id).status_id,
        }
        response = staff_client.post(
            f"/attendance/{attendance.pk}/", {"state": state, "from": "journal", "date": DAY}
        )
        assert response.status_code == 302
        accepted = response["Location"].startswith("/attendance/")
        after = Attendance.objects.get(pk=attendance.pk)
        if accepted:
            assert after.state == state
        else:  # refused, and nothing changed: the mark, the visit's status
            assert after.state == before["state"]
            assert Visit.objects.get(pk=attendance.visit_id).status_id == before["status"]
        transaction.set_rollback(True)
    return accepted


def _check_every_button(staff_client, attendances: list[Attendance]) -> dict[int, set[str]]:
    offered = _offered(staff_client)
    for attendance in attendances:
        shown = offered.get(attendance.pk, set())
        for state in STATES - {attendance.state}:
            assert _press(staff_client, attendance, state) == (state in shown), (
                attendance.visit.status.code,
                attendance.state,
                state,
            )
    return offered


@pytest.mark.parametrize("code", CODES)
def test_a_visits_row_offers_only_the_marks_the_service_accepts(
    staff_client, org, spec, service, code
):
    visit = make_visit(
        org, client=make_client(org), staff=spec, service=service, starts_at=local(org, 2025, 3, 4)
    )
    services.visit_status_set(visit=visit, status=_status(org, code), actor=SYSTEM)
    (attendance,) = Attendance.objects.filter(visit=visit).select_related("visit__status")
    offered = _check_every_button(staff_client, [attendance])
    assert offered.get(attendance.pk, set()) == OFFERED[code]
    assert "journal-row" in staff_client.get(f"/attendance/?date={DAY}").content.decode()


@pytest.fixture
def lesson(org, branch, spec, actor):
    from zapys.catalog.services import subject_create

    subject = subject_create(organization=org, name="Stretching", actor=actor)
    (visit,) = services.lesson_create(
        organization=org,
        branch=branch,
        staff=spec,
        subject=subject,
        starts_at=local(org, 2025, 3, 4, 15),
        duration_minutes=45,
        price=0,
        capacity=2,
        client_ids=[make_client(org).pk, make_client(org).pk],
        actor=actor,
    )
    return visit


def test_a_full_lesson_takes_no_cancelled_client_back(staff_client, org, lesson, actor):
    first, second = Attendance.objects.filter(visit=lesson).order_by("id")
    services.attendance_mark(attendance=second, state="cancelled", actor=actor)
    services.lesson_participant_add(visit=lesson, client=make_client(org), actor=actor)
    rows = list(Attendance.objects.filter(visit=lesson).select_related("visit__status"))
    offered = _check_every_button(staff_client, rows)
    assert offered[first.pk] == {"attended", "absent", "cancelled"}
    assert second.pk not in offered  # full: cancelled it stays, no button
    assert len(offered) == 3


def test_a_lesson_with_a_free_place_takes_a_cancelled_client_back(staff_client, org, lesson, actor):
    _first, second = Attendance.objects.filter(visit=lesson).order_by("id")
    services.attendance_mark(attendance=second, state="cancelled", actor=actor)
    rows = list(Attendance.objects.filter(visit=lesson).select_related("visit__status"))
    offered = _check_every_button(staff_client, rows)
    assert offered[second.pk] == {"planned", "attended", "absent"}


def test_a_cancelled_lessons_rows_offer_nothing(staff_client, org, lesson):
    services.visit_cancel(visit=lesson, actor=SYSTEM)
    rows = list(Attendance.objects.filter(visit=lesson).select_related("visit__status"))
    assert {a.state for a in rows} == {"cancelled"}
    offered = _check_every_button(staff_client, rows)
    assert all(not states for states in offered.values()) and len(offered) == 2


def test_the_day_costs_the_same_queries_with_more_visits(
    staff_client, org, spec, service, django_assert_num_queries
):
    """The buttons are chosen from the rows the page has read: no query per row."""

    def add(hour: int, code: str) -> None:
        visit = make_visit(
            org,
            client=make_client(org),
            staff=spec,
            service=service,
            starts_at=local(org, 2025, 3, 4, hour),
        )
        services.visit_status_set(visit=visit, status=_status(org, code), actor=SYSTEM)

    add(9, "cancelled")
    staff_client.get(f"/attendance/?date={DAY}")  # what is read once and kept
    with CaptureQueriesContext(connection) as one:
        staff_client.get(f"/attendance/?date={DAY}")
    for hour, code in ((10, "booked"), (11, "came"), (12, "cancelled_unpaid")):
        add(hour, code)
    with django_assert_num_queries(len(one.captured_queries)):
        page = staff_client.get(f"/attendance/?date={DAY}").content.decode()
    assert page.count('data-testid="journal-row"') == 4
