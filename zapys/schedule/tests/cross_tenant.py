from datetime import datetime, time, timedelta

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories import make_branch
from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, make_service, make_specialist, make_visit
from zapys.schedule import services
from zapys.schedule.models import HoursException, Visit, VisitStatus, WorkingHours

START = "2030-03-04T10:00:00+02:00"


def _world(victim):
    branch = make_branch(victim, "V")
    spec = make_specialist(victim, branch)
    svc = make_service(victim, branches=[branch])
    client = make_client(victim)
    visit = make_visit(
        victim, client=client, staff=spec, service=svc, starts_at=datetime.fromisoformat(START)
    )
    return branch, spec, svc, client, visit


def _visits_snapshot():
    return sorted(Visit.objects.values_list("id", "starts_at", "status_id", "price", "comment"))


def _visit(victim):
    *_rest, visit = _world(victim)
    return CaseInput(
        path_params={"visit_id": visit.pk},
        foreign_ids=[visit.pk],
        snapshot=_visits_snapshot,
        body={
            "starts_at": "2030-03-05T10:00:00+02:00",
            "status_id": visit.status_id,
            "client_id": visit.client_id,
            "state": "attended",
            "price": 1,
        },
    )


def _create_visit(victim):
    branch, spec, svc, client, _v = _world(victim)
    return CaseInput(
        body={
            "client_id": client.pk,
            "staff_id": spec.pk,
            "service_id": svc.pk,
            "branch_id": branch.pk,
            "starts_at": "2030-03-06T10:00:00+02:00",
        },
        snapshot=_visits_snapshot,
    )


def _lesson(victim):
    branch, spec, _svc, client, _v = _world(victim)
    from zapys.catalog.services import subject_create

    subj = subject_create(organization=victim, name="S", actor=SYSTEM)
    return CaseInput(
        body={
            "branch_id": branch.pk,
            "staff_id": spec.pk,
            "subject_id": subj.pk,
            "starts_at": START,
            "duration_minutes": 30,
            "client_ids": [client.pk],
        },
        snapshot=_visits_snapshot,
    )


def _status(victim):
    status = services.visit_statuses_ensure(organization=victim)["booked"]
    return CaseInput(
        path_params={"status_id": status.pk},
        foreign_ids=[status.pk],
        body={"name": "Hijacked"},
        snapshot=lambda: sorted(VisitStatus.objects.values_list("id", "name")),
    )


def _status_put(victim):
    services.visit_statuses_ensure(organization=victim)

    def check(body, victim_org):
        assert not VisitStatus.objects.for_org(victim_org).filter(pk=body["id"]).exists()

    return CaseInput(
        path_params={"code": "booked"},
        body={"name": "Mine"},
        check=check,
        snapshot=lambda: sorted(VisitStatus.objects.values_list("id", "name")),
    )


def _hours(victim):
    branch, spec, *_ = _world(victim)
    services.hours_exception_create(
        staff=spec, branch=branch, on_date=datetime(2030, 3, 4).date(), kind="day_off", actor=SYSTEM
    )
    exc = HoursException.objects.get(staff=spec)
    return CaseInput(
        path_params={"staff_id": spec.pk, "exception_id": exc.pk},
        body={
            "branch_id": branch.pk,
            "intervals": [{"weekday": 1, "start": "08:00", "end": "09:00"}],
            "date": "2030-03-05",
            "kind": "day_off",
        },
        snapshot=lambda: (
            sorted(WorkingHours.objects.values_list("id", "weekday", "start")),
            sorted(HoursException.objects.values_list("id", "date")),
        ),
    )


def _availability(victim):
    _b, spec, svc, *_ = _world(victim)
    return CaseInput(query={"service_id": svc.pk, "staff_id": spec.pk, "date": "2030-03-04"})


def _availability_own(victim):
    _b, _spec, _svc, *_ = _world(victim)
    return CaseInput(query={"service_id": 0, "date": "2030-03-04"})


def _settings(victim):
    services.schedule_settings_update(organization=victim, actor=SYSTEM, buffer_minutes=7)

    def check(body, victim_org):
        assert body["buffer_minutes"] != 7

    return CaseInput(check=check, body={"slot_step_minutes": 20})


def _visits_list(victim):
    *_rest, visit = _world(victim)
    return CaseInput(foreign_ids=[visit.pk])


def _statuses_list(victim):
    statuses = services.visit_statuses_ensure(organization=victim)
    return CaseInput(foreign_ids=[s.pk for s in statuses.values()])


CASES = [
    CrossTenantCase("get", "/api/v1/visits", _visits_list, kind="list"),
    CrossTenantCase("post", "/api/v1/visits", _create_visit, kind="create"),
    CrossTenantCase("get", "/api/v1/visits/{visit_id}", _visit),
    CrossTenantCase("patch", "/api/v1/visits/{visit_id}", _visit),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/reschedule", _visit),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/cancel", _visit),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/status", _visit),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/participants", _visit),
    CrossTenantCase("post", "/api/v1/visits/{visit_id}/attendance", _visit),
    CrossTenantCase("post", "/api/v1/lessons", _lesson, kind="create"),
    CrossTenantCase("get", "/api/v1/visit-statuses", _statuses_list, kind="list"),
    CrossTenantCase("put", "/api/v1/visit-statuses/by-code/{code}", _status_put, kind="own"),
    CrossTenantCase("patch", "/api/v1/visit-statuses/{status_id}", _status),
    CrossTenantCase("get", "/api/v1/staff/{staff_id}/hours", _hours),
    CrossTenantCase("put", "/api/v1/staff/{staff_id}/hours", _hours),
    CrossTenantCase("post", "/api/v1/staff/{staff_id}/hours/exceptions", _hours),
    CrossTenantCase("delete", "/api/v1/staff/{staff_id}/hours/exceptions/{exception_id}", _hours),
    CrossTenantCase("get", "/api/v1/availability", _availability),
    CrossTenantCase("get", "/api/v1/schedule/settings", _settings, kind="own"),
    CrossTenantCase("patch", "/api/v1/schedule/settings", _settings, kind="own"),
]

_unused = (time, timedelta, _availability_own)
