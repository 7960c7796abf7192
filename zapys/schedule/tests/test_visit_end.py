"""A visit's end through the API: `POST /visits` takes `ends_at` (an end before the start is
refused on that field, nothing created) and `PATCH /visits/{id}` changes it (it was ignored)."""

from datetime import datetime

from tests.factories_clients import make_client
from tests.factories_schedule import make_service, make_specialist
from zapys.core.models import AuditLog
from zapys.schedule.models import Attendance, Visit

START = "2030-03-04T10:00:00+02:00"


def _body(org, branch):
    spec = make_specialist(org, branch)
    svc = make_service(org, "Manicure", duration_minutes=90, price=70000, branches=[branch])
    return {
        "client_id": make_client(org).pk,
        "staff_id": spec.pk,
        "service_id": svc.pk,
        "starts_at": START,
    }


def test_create_with_an_end_takes_it_over_the_service_duration(org, branch, api):
    r = api.post("/visits", {**_body(org, branch), "ends_at": "2030-03-04T10:45:00+02:00"})
    assert r.status == 201, r.body
    assert r.body["duration_minutes"] == 45
    visit = Visit.objects.get(pk=r.body["id"])
    assert visit.ends_at == datetime.fromisoformat("2030-03-04T10:45:00+02:00")


def test_create_with_an_end_before_the_start_is_refused_on_the_field(org, branch, api):
    body = _body(org, branch)
    for ends_at in ("2030-03-04T09:00:00+02:00", START):
        r = api.post("/visits", {**body, "ends_at": ends_at})
        assert r.status == 400, r.body
        assert [e["field"] for e in r.body["errors"]] == ["ends_at"]
    assert not Visit.objects.exists()
    assert not Attendance.objects.exists()
    assert not AuditLog.objects.filter(action="visit.create").exists()


def test_patch_changes_the_end_and_keeps_the_start(org, branch, api):
    vid = api.post("/visits", _body(org, branch)).body["id"]
    r = api.patch(f"/visits/{vid}", {"ends_at": "2030-03-04T12:00:00+02:00", "price": 50000})
    assert r.status == 200, r.body
    assert r.body["duration_minutes"] == 120 and r.body["price"] == 50000
    visit = Visit.objects.get(pk=vid)
    assert visit.starts_at == datetime.fromisoformat(START)
    assert visit.ends_at == datetime.fromisoformat("2030-03-04T12:00:00+02:00")
    assert AuditLog.objects.filter(action="visit.reschedule", object_id=str(vid)).count() == 1


def test_patch_with_a_bad_end_changes_nothing(org, branch, api):
    body = _body(org, branch)
    vid = api.post("/visits", body).body["id"]
    other = api.post("/visits", {**body, "starts_at": "2030-03-04T12:00:00+02:00"}).body["id"]
    before = Visit.objects.get(pk=vid)
    audit_rows = AuditLog.objects.count()
    r = api.patch(f"/visits/{vid}", {"ends_at": "2030-03-04T09:00:00+02:00", "price": 1})
    assert r.status == 400 and r.body["errors"][0]["field"] == "ends_at"
    # longer into the next visit: a conflict naming it, and the price is not changed either
    r = api.patch(f"/visits/{vid}", {"ends_at": "2030-03-04T12:30:00+02:00", "price": 1})
    assert r.status == 409 and r.body["conflicting_visit_id"] == other
    after = Visit.objects.get(pk=vid)
    assert (after.ends_at, after.price) == (before.ends_at, before.price)
    assert AuditLog.objects.count() == audit_rows
