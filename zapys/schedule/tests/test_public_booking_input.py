"""Whatever a visitor types into the public booking page's address, the answer is a page, never
a server error, and nothing is written."""

from datetime import time
from urllib.parse import quote

import pytest
import time_machine

from tests.factories_schedule import local, make_service, make_specialist
from zapys.clients.models import Client
from zapys.core.models import AuditLog
from zapys.schedule import services
from zapys.schedule.forms import parse_public_id, parse_slot
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


def _state():
    return (
        Visit.objects.count(),
        Client.objects.count(),
        OnlineBookingAttempt.objects.count(),
        AuditLog.objects.count(),
    )


# The attacker's two, and their neighbours: the far ends of datetime, offsets Python accepts
# but no zone has, and what fromisoformat refuses.
BAD_SLOTS = [
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00",
    "2030-03-04T10:00:00+23:59",
    "2030-03-04T10:00:00\x00",
    "not-a-time",
    "2030-13-45T99:00:00",
]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("slot", BAD_SLOTS)
def test_an_impossible_slot_is_a_readable_page(client, org, setup, slot):
    _spec, svc = setup
    before = _state()
    url = f"/book/{org.slug}/?service={svc.pk}&staff=any&date=2030-03-04&slot={quote(slot)}"
    r = client.get(url)
    assert r.status_code == 400
    page = r.content.decode()
    assert 'data-testid="slot-error"' in page
    assert page.count('data-testid="slot-option"') == 3  # the day's real times, to pick from
    assert 'data-testid="booking-form"' not in page
    body = {"first_name": "Anna", "phone": "067 123 45 67", "consent": "on", "slot": slot}
    r = client.post(url, body, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 400 and 'data-testid="slot-error"' in r.content.decode()
    assert _state() == before


@time_machine.travel(NOW, tick=False)
def test_the_error_speaks_the_organizations_language(client, org, setup):
    _spec, svc = setup
    url = f"/book/{org.slug}/?service={svc.pk}&staff=any&slot={quote(BAD_SLOTS[0])}"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "На цей час записатися не можна" in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "query",
    [
        "service=²",  # str.isdigit() says yes, int() says no
        "service=99999999999999999999999999",
        "service={svc}&staff=²",
        "service={svc}&staff=99999999999999999999999999&date=2030-03-04",
        "service={svc}&staff=any&date=99999-01-01",
        "service={svc}&staff=any&date=2030-03-04%00",
    ],
)
def test_edited_ids_and_dates_are_pages(client, org, setup, query):
    _spec, svc = setup
    before = _state()
    r = client.get(f"/book/{org.slug}/?{query.format(svc=svc.pk)}")
    assert r.status_code == 200
    assert "Brows" in r.content.decode()
    assert _state() == before


@time_machine.travel(NOW, tick=False)
def test_a_branch_id_beyond_bigint_is_not_found(client, org, setup):
    r = client.get(f"/book/{org.slug}/branch/{'9' * 30}/")
    assert r.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_real_slot_still_books(client, org, setup):
    spec, svc = setup
    slot = local(org, 2030, 3, 4, 10).isoformat()
    url = f"/book/{org.slug}/?service={svc.pk}&staff={spec.pk}&date=2030-03-04&slot={quote(slot)}"
    assert 'data-testid="booking-form"' in client.get(url).content.decode()
    body = {"first_name": "Anna", "phone": "067 123 45 67", "consent": "on", "slot": slot}
    r = client.post(url, body, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 302
    assert Visit.objects.get().starts_at == local(org, 2030, 3, 4, 10)


def test_parsers():
    assert parse_public_id("12") == 12
    assert parse_public_id(str(2**63 - 1)) == 2**63 - 1
    for bad in (None, "", "0", "-1", "²", "١٢", "1e3", str(2**63), "9" * 40, " 1"):
        assert parse_public_id(bad) is None, bad
    assert parse_slot("2030-03-04T10:00:00+02:00") is not None
    assert parse_slot("2030-03-04T10:00:00") is not None
    for bad in [*BAD_SLOTS, None, "", "x" * 100]:
        assert parse_slot(bad) is None, bad
