"""Apps plug into the schedule's hooks from their own `schedule_hooks.py`, which the schedule
finds the first time a hook is used (no app registers from its `AppConfig.ready`)."""

from __future__ import annotations

import sys

import pytest
from django.apps import apps

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.schedule import hooks

APP_HOOKS = "zapys.prepayments.schedule_hooks"


@pytest.fixture
def undiscovered(monkeypatch):
    """The registry as before anything was found: empty, and no app's `schedule_hooks`
    imported. (Discovered first, so that the real registrations come back afterwards.)"""
    hooks.bookings_for([])
    monkeypatch.setattr(hooks, "_after_online_visit_created", [])
    monkeypatch.setattr(hooks, "_bookings_for", [])
    monkeypatch.delitem(sys.modules, APP_HOOKS)
    hooks._discover.cache_clear()
    yield
    hooks._discover.cache_clear()  # found again on the next use: the module is back


def test_first_bookings_lookup_finds_the_apps_hooks(undiscovered, monkeypatch):
    asked = []

    def fake_bookings(visits):
        asked.append(visits)
        return {7: {"status": "paid"}}

    monkeypatch.setattr("zapys.prepayments.selectors.bookings_for_visits", fake_bookings)
    assert hooks.bookings_for([]) == {7: {"status": "paid"}}
    assert hooks.bookings_for([]) == {7: {"status": "paid"}}
    assert asked == [[], []]  # registered once, though used twice
    assert sys.modules[APP_HOOKS] is not None


def test_first_online_booking_runs_the_apps_handler(undiscovered, monkeypatch, org, branch):
    seen = []
    monkeypatch.setattr(
        "zapys.prepayments.services.online_visit_created", lambda visit: seen.append(visit.pk)
    )
    visit = make_visit(
        org,
        client=make_client(org),
        staff=make_specialist(org, branch),
        service=make_service(org, branches=[branch]),
        starts_at=local(org, 2030, 3, 4, 10),
    )
    hooks.run_after_online_visit_created(visit.pk)
    assert seen == [visit.pk]


def test_the_app_config_registers_nothing(undiscovered):
    apps.get_app_config("prepayments").ready()
    assert hooks._after_online_visit_created == []
    assert hooks._bookings_for == []
