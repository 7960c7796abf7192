from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, local, make_specialist, make_visit
from zapys.core.audit import Actor
from zapys.core.exceptions import Conflict, DomainError, PermissionDenied
from zapys.core.models import AuditLog
from zapys.core.tenancy import organization_zone
from zapys.schedule import services
from zapys.schedule.models import Attendance, Visit


def test_create_visit_takes_end_and_price_from_service(org, branch, spec, service, client_a):
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    assert visit.ends_at - visit.starts_at == timedelta(minutes=60)
    assert visit.price == 60000
    assert visit.branch == branch
    assert visit.status.code == "booked"
    assert visit.in_past is False
    assert Attendance.objects.get(visit=visit).client == client_a
    assert AuditLog.objects.filter(action="visit.create", object_id=str(visit.pk)).count() == 1


def test_overlap_refused_with_conflicting_visit_named(org, spec, service, client_a):
    first = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    other = make_client(org)
    with pytest.raises(Conflict) as exc:
        make_visit(
            org, client=other, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10, 30)
        )
    assert exc.value.extra["conflicting_visit_id"] == first.pk
    assert "Haircut" in exc.value.detail
    assert Visit.objects.count() == 1
    # the refusal names the visit as messages do, with no "(-а)" guessing the gender
    with translation.override("uk"), pytest.raises(Conflict) as exc:
        make_visit(
            org, client=other, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10, 30)
        )
    assert "на цей час уже є візит — «Haircut», 4 березня, 10:00–11:00." in exc.value.detail
    assert "(-а)" not in exc.value.detail and Visit.objects.count() == 1
    # back to back is fine
    make_visit(org, client=other, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 11))


def test_cancelled_visit_frees_the_time(org, spec, service, client_a, actor):
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    services.visit_cancel(visit=v, actor=actor)
    v.refresh_from_db()
    assert v.blocks_time is False and v.status.code == "cancelled"
    make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )


def test_visit_in_past_allowed_for_staff_with_flag(org, spec, service, client_a):
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2020, 3, 4, 10)
    )
    assert v.in_past is True


def test_system_status_refused_for_staff(org, spec, service, client_a, actor):
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    system = services.visit_statuses_ensure(organization=org)["cancelled_unpaid"]
    with pytest.raises(PermissionDenied):
        services.visit_status_set(visit=v, status=system, actor=actor)
    v.refresh_from_db()
    assert v.status.code == "booked"
    services.visit_cancel(visit=v, status=system, actor=Actor.system("prepayments"))
    v.refresh_from_db()
    assert v.status.code == "cancelled_unpaid" and not v.blocks_time


def test_reschedule_checks_conflicts_and_keeps_duration(org, spec, service, client_a, actor):
    a = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    b = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 12)
    )
    with pytest.raises(Conflict) as exc:
        services.visit_reschedule(visit=b, starts_at=local(org, 2030, 3, 4, 10, 30), actor=actor)
    assert exc.value.extra["conflicting_visit_id"] == a.pk
    b.refresh_from_db()
    assert b.starts_at == local(org, 2030, 3, 4, 12)
    services.visit_reschedule(visit=b, starts_at=local(org, 2030, 3, 4, 14), actor=actor)
    b.refresh_from_db()
    assert b.ends_at == local(org, 2030, 3, 4, 15)
    # moving onto its own old time is not a conflict with itself
    services.visit_reschedule(visit=b, starts_at=local(org, 2030, 3, 4, 14, 30), actor=actor)


def test_service_not_in_branch_refused(org, branch, spec, client_a):
    from tests.factories import make_branch
    from tests.factories_schedule import make_service

    other = make_branch(org, "Other")
    svc = make_service(org, branches=[other])
    with pytest.raises(DomainError) as exc:
        make_visit(
            org,
            client=client_a,
            staff=spec,
            service=svc,
            starts_at=local(org, 2030, 3, 4, 10),
            branch=branch,
        )
    assert exc.value.errors[0]["field"] == "service_id"
    assert Visit.objects.count() == 0


def test_lesson_series_weekly_and_capacity(org, branch, actor):
    from zapys.catalog.services import group_create, room_create

    teacher = make_specialist(org, branch)
    members = [make_client(org) for _ in range(3)]
    room = room_create(organization=org, branch=branch, name="Hall", capacity=10, actor=actor)
    group = group_create(
        organization=org, name="Salsa", capacity=3, actor=actor, member_ids=[m.pk for m in members]
    )
    lessons = services.lesson_create(
        organization=org,
        branch=branch,
        staff=teacher,
        group=group,
        room=room,
        starts_at=local(org, 2030, 3, 4, 18),
        duration_minutes=60,
        repeat_until=date(2030, 3, 31),
        weekdays=[0, 2],
        actor=actor,
    )
    assert len(lessons) == 8  # Mondays and Wednesdays of March 4–31
    assert all(v.starts_at.astimezone(organization_zone(org)).hour == 18 for v in lessons)
    assert Attendance.objects.filter(visit=lessons[0]).count() == 3
    extra = make_client(org)
    with pytest.raises(Conflict):
        services.lesson_participant_add(visit=lessons[0], client=extra, actor=actor)
    # a conflicting series is refused whole
    before = Visit.objects.count()
    with pytest.raises(Conflict):
        services.lesson_create(
            organization=org,
            branch=branch,
            staff=make_specialist(org, branch),
            group=group,
            room=room,
            starts_at=local(org, 2030, 3, 1, 18),
            duration_minutes=60,
            repeat_until=date(2030, 3, 20),
            weekdays=[2, 4],
            actor=actor,
        )
    assert Visit.objects.count() == before


def test_statuses_configurable(org, actor):
    s = services.visit_status_create(
        organization=org, name="Late", color="#ff0000", counts_as_came=True, actor=actor
    )
    assert not s.is_system
    with pytest.raises(PermissionDenied):
        services.visit_status_create(organization=org, name="X", is_system=True, actor=actor)
    with pytest.raises(DomainError):
        services.visit_status_create(organization=org, name="Y", color="red", actor=actor)


def test_end_before_start_refused(org, spec, service, client_a, actor):
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    with pytest.raises(DomainError):
        services.visit_reschedule(
            visit=v,
            starts_at=local(org, 2030, 3, 4, 12),
            ends_at=local(org, 2030, 3, 4, 11),
            actor=actor,
        )


def test_booking_state_hook(org, spec, service, client_a):
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    services.visit_booking_state_set(visit=v, state="pending", actor=SYSTEM)
    v.refresh_from_db()
    assert v.booking_state == "pending"
    assert isinstance(v.starts_at, datetime)


@pytest.mark.postgres_only
def test_postgres_exclusion_constraint_is_the_backstop(org, spec, service, client_a):
    """Even a write that skips the service's locked check cannot double-book."""
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints are PostgreSQL-only")
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    clash = Visit(
        organization=org,
        branch=v.branch,
        staff=spec,
        client=client_a,
        service=service,
        starts_at=local(org, 2030, 3, 4, 10, 30),
        ends_at=local(org, 2030, 3, 4, 11, 30),
        status=v.status,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()
