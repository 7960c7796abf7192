from datetime import time

import pytest
import time_machine

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist
from zapys.clients.models import Client
from zapys.schedule import hooks, services
from zapys.schedule.models import OnlineBookingAttempt, Visit

NOW = "2030-03-04T06:00:00+00:00"  # Monday 08:00 in Kyiv


@pytest.fixture
def setup(org, branch, actor):
    spec = make_specialist(org, branch, hours=[(0, time(9), time(12))])
    svc = make_service(org, "Brows", duration_minutes=60, price=30000, branches=[branch])
    services.schedule_settings_update(
        organization=org, actor=actor, slot_step_minutes=60, online_min_lead_minutes=0
    )
    return spec, svc


def _book(client, org, svc, staff, slot, **data):
    url = f"/book/{org.slug}/?service={svc.pk}&staff={staff}&date=2030-03-04&slot={slot}"
    body = {"name": "Petrenko Anna", "phone": "067 123 45 67", "consent": "on", "slot": slot}
    body.update(data)
    return client.post(url, body, REMOTE_ADDR="10.0.0.1")


@time_machine.travel(NOW, tick=False)
def test_public_booking_flow_creates_client_and_visit(
    client, org, setup, django_capture_on_commit_callbacks
):
    spec, svc = setup
    seen = []
    handler = hooks.register_after_online_visit_created(lambda v: seen.append(v.pk))
    try:
        r = client.get(f"/book/{org.slug}/")
        assert "Brows" in r.content.decode()
        r = client.get(f"/book/{org.slug}/?service={svc.pk}&staff=any&date=2030-03-04")
        page = r.content.decode()
        assert page.count('data-testid="slot-option"') == 3  # 9, 10, 11
        slot = local(org, 2030, 3, 4, 10).isoformat()
        with django_capture_on_commit_callbacks(execute=True):
            r = _book(client, org, svc, "any", slot)
        assert r.status_code == 302, r.content.decode()[:3000]
        visit = Visit.objects.get()
        assert visit.source == "online" and visit.staff == spec
        assert visit.client.phone == "+380671234567"
        assert r.url.startswith(f"/book/{org.slug}/done/")
        assert client.get(r.url).status_code == 200
    finally:
        hooks.unregister_after_online_visit_created(handler)
    assert seen == [visit.pk]


@time_machine.travel(NOW, tick=False)
def test_existing_client_matched_by_phone(client, org, setup):
    spec, svc = setup
    existing = make_client(org, "Old Card", phone="+380671234567")
    slot = local(org, 2030, 3, 4, 9).isoformat()
    assert _book(client, org, svc, spec.pk, slot).status_code == 302
    assert Visit.objects.get().client == existing
    assert Client.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_bad_input_creates_nothing(client, org, setup):
    spec, svc = setup
    good = local(org, 2030, 3, 4, 9).isoformat()
    assert _book(client, org, svc, spec.pk, good, phone="12").status_code == 200
    assert _book(client, org, svc, spec.pk, good, consent="").status_code == 200
    outside = local(org, 2030, 3, 4, 15).isoformat()  # outside working hours
    assert _book(client, org, svc, spec.pk, outside).status_code == 200
    past = local(org, 2030, 3, 4, 7).isoformat()
    assert _book(client, org, svc, spec.pk, past).status_code == 200
    assert Visit.objects.count() == 0 and Client.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_taken_slot_refused(client, org, setup):
    spec, svc = setup
    slot = local(org, 2030, 3, 4, 9).isoformat()
    assert _book(client, org, svc, spec.pk, slot).status_code == 302
    r = _book(client, org, svc, spec.pk, slot, phone="067 765 43 21")
    assert r.status_code == 200 and Visit.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_rate_limit(client, org, setup, actor):
    spec, svc = setup
    services.schedule_settings_update(organization=org, actor=actor, online_rate_limit_per_minute=3)
    slot = local(org, 2030, 3, 4, 9).isoformat()
    for _ in range(3):
        _book(client, org, svc, spec.pk, slot, phone="12")
    r = _book(client, org, svc, spec.pk, slot)
    assert r.status_code == 429
    assert Visit.objects.count() == 0
    assert OnlineBookingAttempt.objects.count() == 3


def test_unknown_org_404(client, db):
    assert client.get("/book/nope/").status_code == 404
