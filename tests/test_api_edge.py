"""The seven causes of the attacker's 461 server errors, one by one: each is a 422 with
field-level errors now (it was a 500), and nothing is written. The whole schema is fuzzed by
`tests/test_api_fuzz.py`; these pin the named cases so a regression names its cause."""

from __future__ import annotations

from datetime import time

import pytest

from tests.factories_clients import make_client
from tests.factories_prepayments import enable_prepayment, make_booking_type
from tests.factories_schedule import make_service, make_specialist
from zapys.catalog.models import Group, Room, Service
from zapys.clients.models import Client, Tag
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry, FinancialOperation
from zapys.memberships.models import MembershipPlan
from zapys.payments.models import Payment
from zapys.prepayments.models import PrepaymentSettings
from zapys.schedule.models import Visit, VisitStatus, WorkingHours


def _state():
    """Every table these requests could write to."""
    return (
        list(Service.objects.order_by("id").values()),
        list(Client.objects.order_by("id").values()),
        Tag.objects.count(),
        Room.objects.count(),
        Group.objects.count(),
        Entry.objects.count(),
        FinancialOperation.objects.count(),
        MembershipPlan.objects.count(),
        Payment.objects.count(),
        list(Visit.objects.order_by("id").values()),
        list(VisitStatus.objects.order_by("id").values()),
        list(WorkingHours.objects.order_by("id").values()),
        list(PrepaymentSettings.objects.values()),
        AuditLog.objects.count(),
    )


@pytest.fixture
def world(org, branch, owner):
    spec = make_specialist(org, branch, hours=[(d, time(9), time(18)) for d in range(7)])
    svc = make_service(org, "Brows", duration_minutes=60, price=30000, branches=[branch])
    client = make_client(org, "Anna")
    return {"spec": spec, "svc": svc, "client": client, "branch": branch, "owner": owner}


def _assert_422(r, *fields):
    assert r.status == 422, r.body
    assert r.body["detail"]
    got = [e["field"] for e in r.body["errors"]]
    assert set(fields) <= set(got), (fields, r.body)
    assert all(e["message"] for e in r.body["errors"])


# --- list offset/limit beyond bigint -------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/services", "/branches", "/payments", "/bookings", "/clients", "/tags", "/visits"]
)
@pytest.mark.parametrize("offset", [2**63, 2**64 + 1, -1])
def test_list_offset_out_of_range(world, api, path, offset):
    _assert_422(api.get(f"{path}?offset={offset}"), "offset")


def test_list_limit_out_of_range(world, api):
    _assert_422(api.get(f"/services?limit={2**63}"), "limit")
    assert api.get("/services?limit=500&offset=2147483647").body["items"] == []


# --- body integers beyond 2^63 / 2^31 --------------------------------------------------------


def test_body_integers_beyond_storage(world, api):
    before = _state()
    svc, client, branch = world["svc"], world["client"], world["branch"]
    cases = [
        ("post", "/services", {"name": "X", "duration_minutes": 30, "price": 2**63}, "price"),
        ("patch", f"/services/{svc.pk}", {"price": 2**64}, "price"),
        ("post", f"/clients/{client.pk}/entries", {"kind": "debit", "amount": 2**63}, "amount"),
        ("post", f"/clients/{client.pk}/top-ups", {"amount": 2**63}, "amount"),
        ("post", "/rooms", {"name": "R", "branch_id": branch.pk, "capacity": 2**31}, "capacity"),
        ("post", "/groups", {"name": "G", "capacity": 2**31}, "capacity"),
        ("put", "/visit-statuses/by-code/late", {"name": "Late", "order": 2**31}, "order"),
        ("post", "/rooms", {"name": "R", "branch_id": 2**63, "capacity": 1}, "branch_id"),
        ("post", "/membership-plans", {"name": "P", "price": 10**12}, "price"),
    ]
    for method, path, body, field in cases:
        _assert_422(api.request(method, path, body), field)
    # Path ids too: one past bigint is not an object that could exist.
    _assert_422(api.get(f"/services/{2**63}"), "service_id")
    _assert_422(api.get(f"/clients/{2**64}"), "client_id")
    assert _state() == before


# --- NUL bytes in query strings and bodies ------------------------------------------------


def test_nul_bytes(world, api):
    before = _state()
    client = world["client"]
    _assert_422(api.get("/services?search=a%00b"), "search")
    _assert_422(api.get("/clients?search=%00"), "search")
    _assert_422(api.get("/messages?event=%00"), "event")
    _assert_422(api.post("/clients", {"name": "A\x00", "phone": "+380671234567"}), "name")
    _assert_422(api.patch(f"/clients/{client.pk}", {"note": "x\x00y"}), "note")
    _assert_422(api.post("/tags", {"name": "\x00"}), "name")
    _assert_422(api.put("/visit-statuses/by-code/a%00b", {"name": "X"}), "code")
    r = api.post("/services", {"name": "N\x00", "duration_minutes": 30, "price": 1})
    _assert_422(r, "name")
    assert r.body["errors"][0]["message"] == "Control characters are not allowed."
    assert _state() == before


def test_text_is_cleaned_not_refused_for_line_breaks(world, api):
    r = api.post("/services", {"name": "  Two\nlines  ", "duration_minutes": 30, "price": 1})
    assert r.status == 201 and r.body["name"] == "Two lines"


# --- UTC offsets beyond ±15:59, years at the ends, times of day with an offset ---------------


@pytest.mark.parametrize(
    "starts_at",
    [
        "2030-03-04T10:00:00+20:00",
        "2030-03-04T10:00:00-16:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ],
)
def test_datetimes_out_of_range(world, api, starts_at):
    before = _state()
    body = {
        "client_id": world["client"].pk,
        "staff_id": world["spec"].pk,
        "service_id": world["svc"].pk,
        "starts_at": starts_at,
    }
    _assert_422(api.post("/visits", body), "starts_at")
    assert _state() == before


def test_times_of_day_take_no_offset(world, api):
    before = _state()
    spec, branch = world["spec"], world["branch"]
    for start, end in (("09:00+02:00", "18:00"), ("09:00", 0), ("9", "18:00"), ("09:00", "24:00")):
        r = api.put(
            f"/staff/{spec.pk}/hours",
            {"branch_id": branch.pk, "intervals": [{"weekday": 0, "start": start, "end": end}]},
        )
        assert r.status == 422, (start, end, r.body)
        assert r.body["errors"][0]["field"].startswith("intervals.0.")
    assert _state() == before
    ok = api.put(
        f"/staff/{spec.pk}/hours",
        {
            "branch_id": branch.pk,
            "intervals": [{"weekday": 0, "start": "09:30", "end": "18:00:00"}],
        },
    )
    assert ok.status == 200 and ok.body["weekly"][0]["start"] == "09:30:00"


def test_dates_at_the_far_ends(world, api):
    before = _state()
    client = world["client"]
    _assert_422(
        api.post(
            f"/clients/{client.pk}/freeze", {"date_from": "2030-01-01", "date_to": "9999-12-31"}
        ),
        "date_to",
    )
    _assert_422(api.get("/financial-operations?date_from=0001-01-01"), "date_from")
    assert _state() == before


# --- null for a field that cannot be null -------------------------------------------------


def test_null_for_a_not_null_field(world, api):
    before = _state()
    svc = world["svc"]
    r = api.patch(f"/services/{svc.pk}", {"category": None})  # was a 500 (NOT NULL)
    assert r.status == 422
    assert r.body["errors"] == [{"field": "category", "message": "This field cannot be null."}]
    _assert_422(api.patch("/schedule/settings", {"buffer_minutes": None}), "buffer_minutes")
    _assert_422(api.patch("/prepayment/settings", {"page_theme": None}), "page_theme")
    assert _state() == before


# --- a stored setting that broke the organization -----------------------------------------


def test_a_setting_cannot_break_booking_creation(world, org, api):
    enable_prepayment(org)
    make_booking_type(org, "fixed", 20_000)
    before = _state()
    r = api.patch(
        "/prepayment/settings", {"reminder_enabled": True, "reminder_hours_before": 2147483647}
    )
    _assert_422(r, "reminder_hours_before")
    _assert_422(
        api.patch("/schedule/settings", {"online_min_lead_minutes": 2**31}),
        "online_min_lead_minutes",
    )
    assert _state() == before
    # The organization still books (it was a 500 for every booking after the bad setting).
    r = api.patch("/prepayment/settings", {"reminder_enabled": True, "reminder_hours_before": 720})
    assert r.status == 200
    visit = api.post(
        "/visits",
        {
            "client_id": world["client"].pk,
            "staff_id": world["spec"].pk,
            "service_id": world["svc"].pk,
            "starts_at": "2031-03-04T10:00:00+02:00",
        },
    )
    assert visit.status == 201, visit.body
    booking = api.post(f"/visits/{visit.body['id']}/booking", {})
    assert booking.status == 201, booking.body


# --- found by the fuzz test --------------------------------------------------------------


def test_a_series_with_no_lesson_is_refused(world, api):
    """A Saturday start, Mondays only, ending the same day: no lesson at all (was a 500)."""
    group = Group.objects.create(organization=world["svc"].organization, name="Yoga")
    before = _state()
    r = api.post(
        "/lessons",
        {
            "branch_id": world["branch"].pk,
            "staff_id": world["spec"].pk,
            "group_id": group.pk,
            "starts_at": "2030-03-09T10:00:00+02:00",
            "duration_minutes": 60,
            "repeat_until": "2030-03-09",
            "weekdays": [0],
        },
    )
    assert r.status == 400 and r.body["errors"][0]["field"] == "weekdays"
    assert _state() == before
