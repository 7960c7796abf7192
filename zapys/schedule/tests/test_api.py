from datetime import time

from tests.factories_clients import make_client
from tests.factories_schedule import make_service, make_specialist
from zapys.memberships import services as membership_services
from zapys.schedule.models import Visit


def _setup(org, branch):
    spec = make_specialist(org, branch)
    svc = make_service(org, "Manicure", duration_minutes=90, price=70000, branches=[branch])
    return spec, svc, make_client(org)


def test_create_get_list_visit(org, branch, api):
    spec, svc, client = _setup(org, branch)
    body = {
        "client_id": client.pk,
        "staff_id": spec.pk,
        "service_id": svc.pk,
        "starts_at": "2030-03-04T10:00:00+02:00",
    }
    r = api.post("/visits", body)
    assert r.status == 201, r.body
    assert r.body["ends_at"].startswith("2030-03-04T11:30") or r.body["ends_at"].startswith(
        "2030-03-04T09:30"
    )
    assert r.body["price"] == 70000 and r.body["booking"] is None and r.body["status"] == "booked"
    vid = r.body["id"]
    assert api.get(f"/visits/{vid}").body["id"] == vid
    listing = api.get("/visits", date_from="2030-03-04", date_to="2030-03-04", staff_id=spec.pk)
    assert listing.body["count"] == 1
    assert api.get("/visits", status="came").body["count"] == 0
    # overlap → 409 naming the visit
    r2 = api.post("/visits", {**body, "starts_at": "2030-03-04T11:00:00+02:00"})
    assert r2.status == 409 and r2.body["conflicting_visit_id"] == vid
    assert r2.body["errors"][0]["field"] == "starts_at"
    assert Visit.objects.count() == 1


def test_reschedule_cancel_status(org, branch, api):
    spec, svc, client = _setup(org, branch)
    vid = api.post(
        "/visits",
        {
            "client_id": client.pk,
            "staff_id": spec.pk,
            "service_id": svc.pk,
            "starts_at": "2030-03-04T10:00:00+02:00",
        },
    ).body["id"]
    r = api.post(f"/visits/{vid}/reschedule", {"starts_at": "2030-03-04T12:00:00+02:00"})
    assert r.status == 200 and r.body["duration_minutes"] == 90
    statuses = {s["code"]: s for s in api.get("/visit-statuses").body["items"]}
    r = api.post(f"/visits/{vid}/status", {"status_id": statuses["cancelled_unpaid"]["id"]})
    assert r.status == 403 and r.body["errors"][0]["field"] == "status_id"
    r = api.post(f"/visits/{vid}/status", {"status_id": statuses["confirmed"]["id"]})
    assert r.body["status"] == "confirmed"
    r = api.post(f"/visits/{vid}/cancel", {})
    assert r.body["status"] == "cancelled"


def test_bad_input(org, branch, api):
    spec, svc, client = _setup(org, branch)
    r = api.post(
        "/visits",
        {
            "client_id": client.pk,
            "staff_id": spec.pk,
            "service_id": 999999,
            "starts_at": "2030-03-04T10:00:00+02:00",
        },
    )
    assert r.status == 404 and r.body["errors"][0]["field"] == "service_id"
    r = api.post(
        "/visits",
        {
            "client_id": client.pk,
            "staff_id": spec.pk,
            "service_id": svc.pk,
            "starts_at": "not a date",
        },
    )
    assert r.status == 422
    assert Visit.objects.count() == 0


def test_hours_and_availability(org, branch, api):
    spec, svc, _client = _setup(org, branch)
    r = api.put(
        f"/staff/{spec.pk}/hours",
        {"branch_id": branch.pk, "intervals": [{"weekday": 0, "start": "09:00", "end": "12:00"}]},
    )
    assert r.status == 200 and len(r.body["weekly"]) == 1
    r = api.put(
        f"/staff/{spec.pk}/hours",
        {"branch_id": branch.pk, "intervals": [{"weekday": 0, "start": "12:00", "end": "09:00"}]},
    )
    assert r.status == 400
    r = api.get("/availability", service_id=svc.pk, staff_id=spec.pk, date="2030-03-04")
    assert r.status == 200
    assert [s["starts_at"][11:16] for s in r.body["items"]][:2] == ["09:00", "09:15"]
    assert r.body["items"][-1]["starts_at"][11:16] == "10:30"
    r = api.post(
        f"/staff/{spec.pk}/hours/exceptions",
        {"branch_id": branch.pk, "date": "2030-03-04", "kind": "day_off"},
    )
    assert r.status == 201
    assert api.get("/availability", service_id=svc.pk, date="2030-03-04").body["count"] == 0
    assert api.delete(f"/staff/{spec.pk}/hours/exceptions/{r.body['id']}").status == 204
    assert time(9)


def test_lessons_and_attendance_api(org, branch, api, monkeypatch):
    monkeypatch.setattr(membership_services, "membership_consume_visit", lambda **kw: None)
    spec, _svc, client = _setup(org, branch)
    from tests.factories_schedule import SYSTEM
    from zapys.catalog.services import subject_create

    subj = {"id": subject_create(organization=org, name="Piano", actor=SYSTEM).pk}
    r = api.post(
        "/lessons",
        {
            "branch_id": branch.pk,
            "staff_id": spec.pk,
            "subject_id": subj["id"],
            "starts_at": "2030-03-04T15:00:00+02:00",
            "duration_minutes": 45,
            "capacity": 1,
            "client_ids": [client.pk],
            "repeat_until": "2030-03-18",
        },
    )
    assert r.status == 201 and r.body["count"] == 3
    lid = r.body["items"][0]["id"]
    other = make_client(org)
    r = api.post(f"/visits/{lid}/participants", {"client_id": other.pk})
    assert r.status == 409  # capacity 1
    api.patch("/schedule/settings", {"charge_without_membership": False})
    r = api.post(f"/visits/{lid}/attendance", {"client_id": client.pk, "state": "attended"})
    assert r.status == 200 and r.body["state"] == "attended"
    r = api.post(f"/visits/{lid}/attendance", {"client_id": client.pk, "state": "bogus"})
    assert r.status == 422 and r.body["errors"][0]["field"] == "state"


def test_status_put_by_code(org, api):
    r = api.put(
        "/visit-statuses/by-code/late", {"name": "Late", "color": "#ff8800", "counts_as_came": True}
    )
    assert r.status == 200 and r.body["code"] == "late" and r.body["counts_as_came"]
    r = api.put("/visit-statuses/by-code/late", {"name": "Late!", "color": "#ff8800"})
    assert r.body["name"] == "Late!"
    r = api.put("/visit-statuses/by-code/x", {"name": "X", "color": "red"})
    assert r.status == 422 and r.body["errors"][0]["field"] == "color"
