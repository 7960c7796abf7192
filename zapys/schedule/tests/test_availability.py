from datetime import date, time, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, local, make_service, make_specialist, make_visit
from zapys.core.tenancy import organization_zone
from zapys.schedule import selectors, services
from zapys.schedule.models import HoursException


def _starts(slots, org):
    tz = organization_zone(org)
    return [s.start.astimezone(tz).strftime("%H:%M") for s in slots]


def test_slots_are_hours_minus_visits_with_buffer(org, branch, actor):
    spec = make_specialist(org, branch, hours=[(0, time(9), time(13))])
    svc = make_service(org, duration_minutes=60, branches=[branch])
    services.schedule_settings_update(
        organization=org, actor=actor, slot_step_minutes=30, buffer_minutes=15
    )
    make_visit(
        org, client=make_client(org), staff=spec, service=svc, starts_at=local(org, 2030, 3, 4, 10)
    )  # 10:00-11:00, a Monday
    slots = selectors.free_slots(
        organization=org,
        service=svc,
        date_from=date(2030, 3, 4),
        date_to=date(2030, 3, 4),
        now=local(org, 2030, 1, 1),
    )
    # busy 09:45–11:15 with the buffer; the slot must end by 13:00
    assert _starts(slots, org) == ["11:30", "12:00"]


def test_day_off_and_extra_hours(org, branch, actor):
    spec = make_specialist(org, branch, hours=[(0, time(9), time(11))])
    svc = make_service(org, duration_minutes=60, branches=[branch])
    services.schedule_settings_update(organization=org, actor=actor, slot_step_minutes=60)
    services.hours_exception_create(
        staff=spec,
        branch=branch,
        on_date=date(2030, 3, 4),
        kind=HoursException.Kind.DAY_OFF,
        actor=SYSTEM,
    )
    services.hours_exception_create(
        staff=spec,
        branch=branch,
        on_date=date(2030, 3, 5),
        kind="extra",
        start=time(15),
        end=time(17),
        actor=SYSTEM,
    )
    slots = selectors.free_slots(
        organization=org,
        service=svc,
        date_from=date(2030, 3, 4),
        date_to=date(2030, 3, 5),
        now=local(org, 2030, 1, 1),
    )
    assert _starts(slots, org) == ["15:00", "16:00"]


def test_online_lead_time_and_past(org, branch, actor):
    make_specialist(org, branch, hours=[(0, time(9), time(12))])
    svc = make_service(org, duration_minutes=60, branches=[branch])
    services.schedule_settings_update(
        organization=org, actor=actor, slot_step_minutes=60, online_min_lead_minutes=60
    )
    now = local(org, 2030, 3, 4, 9, 10)
    slots = selectors.free_slots(
        organization=org,
        service=svc,
        date_from=date(2030, 3, 4),
        date_to=date(2030, 3, 4),
        now=now,
        online=True,
    )
    assert _starts(slots, org) == ["11:00"]


def test_constant_queries_for_many_specialists(org, branch):
    svc = make_service(org, duration_minutes=30, branches=[branch])
    specs = [make_specialist(org, branch) for _ in range(5)]
    for i, s in enumerate(specs):
        make_visit(
            org,
            client=make_client(org),
            staff=s,
            service=svc,
            starts_at=local(org, 2030, 3, 4, 10 + i),
        )
    selectors.schedule_settings_for(org)  # created on first use; then one query
    with CaptureQueriesContext(connection) as ctx:
        slots = selectors.free_slots(
            organization=org,
            service=svc,
            date_from=date(2030, 3, 4),
            date_to=date(2030, 3, 4) + timedelta(days=13),
            now=local(org, 2030, 1, 1),
        )
    assert slots
    assert len(ctx.captured_queries) <= 5
