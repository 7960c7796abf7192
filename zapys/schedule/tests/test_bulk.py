"""Set-based visit writes for sweeps (schedule.bulk): the same changes and audit rows as the
one-at-a-time services, a constant number of statements, never another organization's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_ledger import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.schedule import services
from zapys.schedule.bulk import visits_booking_state_set_many, visits_cancel_many
from zapys.schedule.models import Attendance, Visit

pytestmark = pytest.mark.django_db


def _visits(org, branch, n):
    staff = make_specialist(org, branch)
    service = make_service(org)
    return [
        make_visit(
            org,
            client=make_client(org),
            staff=staff,
            service=service,
            starts_at=local(org, 2026, 12, 10, 9 + i),
            branch=branch,
        )
        for i in range(n)
    ]


def _cancel_status(org):
    return services.visit_statuses_ensure(organization=org)["cancelled_unpaid"]


def test_cancel_many_cancels_visits_and_attendances_with_audit_rows(org, branch, actor):
    visits = _visits(org, branch, 3)
    status = _cancel_status(org)
    done = visits_cancel_many(
        visit_ids=[v.pk for v in visits], status=status, actor=SYSTEM, now=local(org, 2026, 12, 3)
    )
    assert sorted(done) == sorted(v.pk for v in visits)
    assert set(Visit.objects.values_list("status_id", "blocks_time")) == {(status.pk, False)}
    assert set(Attendance.objects.values_list("state", flat=True)) == {"cancelled"}
    assert AuditLog.objects.filter(action="visit.status").count() == 3
    assert AuditLog.objects.filter(action="attendance.mark").count() == 3
    # Already cancelled: nothing more happens, no new rows.
    audit = AuditLog.objects.count()
    assert (
        visits_cancel_many(
            visit_ids=[v.pk for v in visits],
            status=status,
            actor=SYSTEM,
            now=local(org, 2026, 12, 3),
        )
        == []
    )
    assert AuditLog.objects.count() == audit


def test_cancel_many_costs_the_same_for_3_or_9_visits(org, branch):
    status = _cancel_status(org)
    few, many = _visits(org, branch, 3), _visits(org, make_branch(org, "Друга"), 9)
    counts = []
    for group in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            visits_cancel_many(
                visit_ids=[v.pk for v in group], status=status, actor=SYSTEM,
                now=local(org, 2026, 12, 3),
            )  # fmt: skip
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_another_organizations_visits_are_never_touched(org, branch):
    other = make_org("Salon B")
    with org_scope(other):
        foreign = _visits(other, make_branch(other, "B"), 2)
        before = list(Visit.objects.order_by("pk").values("pk", "status_id", "blocks_time"))
    mine = _cancel_status(org)
    assert (
        visits_cancel_many(
            visit_ids=[v.pk for v in foreign],
            status=mine,
            actor=SYSTEM,
            now=local(org, 2026, 12, 3),
        )
        == []
    )
    with org_scope(other):
        assert list(Visit.objects.order_by("pk").values("pk", "status_id", "blocks_time")) == before
        assert (
            visits_booking_state_set_many(
                visit_ids=[v.pk for v in _visits(org, branch, 1)], state="expired", actor=SYSTEM
            )
            == 0
        )


def test_booking_state_many(org, branch):
    visits = _visits(org, branch, 2)
    assert (
        visits_booking_state_set_many(visit_ids=[v.pk for v in visits], state="paid", actor=SYSTEM)
        == 2
    )
    assert set(Visit.objects.values_list("booking_state", flat=True)) == {"paid"}
    assert AuditLog.objects.filter(action="visit.booking_state").count() == 2
    assert (
        visits_booking_state_set_many(visit_ids=[v.pk for v in visits], state="paid", actor=SYSTEM)
        == 0
    )
    with pytest.raises(DomainError):
        visits_booking_state_set_many(visit_ids=[visits[0].pk], state="purple", actor=SYSTEM)
