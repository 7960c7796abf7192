"""The day view after the issue 17 screenshot review: a short (30-minute) card has no room
for the status badge, so an icon in the status's colour says it (a cancelled one was not
marked at all), named on hover and for screen readers; and the day is not a fixed-height
scroll box any more (it cut a card in half at 16:45 with the window's lower part empty)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_visit
from zapys.core.audit import Actor
from zapys.schedule import services
from zapys.schedule.models import Visit, VisitStatus
from zapys.schedule.tests.test_views import _card

SYSTEM = Actor.system("tests")


def _page(staff_client, language: str) -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return staff_client.get("/calendar/?date=2030-03-04").content.decode()


@pytest.mark.parametrize(
    ("language", "cancelled", "no_show", "planned"),
    [("en", "Cancelled", "No-show", "Booked"), ("uk", "Скасовано", "Неявка", "Записано")],
)
def test_short_cards_show_their_status(
    staff_client, org, branch, spec, client_a, language, cancelled, no_show, planned
):
    brows = make_service(org, "Brows", duration_minutes=30, branches=[branch])
    at = [local(org, 2030, 3, 4, hour) for hour in (10, 12, 14)]
    gone, missed, ahead = (
        make_visit(org, client=make_client(org, name), staff=spec, service=brows, starts_at=when)
        for name, when in zip(("Koval Olena", "Shevchuk Anna", "Bondar Iryna"), at, strict=True)
    )
    services.visit_cancel(visit=gone, actor=SYSTEM)
    Visit.objects.filter(pk=missed.pk).update(
        status=VisitStatus.objects.get(organization=org, is_no_show=True)
    )
    page = _page(staff_client, language)
    for visit, icon, word in (
        (gone, "bi-x-circle-fill", cancelled),
        (missed, "bi-person-x-fill", no_show),
        (ahead, "bi-circle-fill", planned),
    ):
        card = _card(page, visit.pk)
        assert "zapys-cal-visit-xs" in card
        mark = re.search(r'<i class="bi ([^"]*)"[^>]*title="([^"]*)"', card)
        assert mark and icon in mark.group(1) and mark.group(2) == word, (language, card)
        assert f'data-testid="cal-visit-status">{word}</span>' in card
    assert "zapys-cal-visit-cancelled" in _card(page, gone.pk)
    assert "zapys-cal-visit-cancelled" not in _card(page, missed.pk)


def test_longer_cards_keep_their_badge(staff_client, org, branch, spec, client_a, service):
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    card = _card(_page(staff_client, "en"), visit.pk)
    assert 'zapys-cal-status" style="background: ' in card
    assert 'data-testid="cal-visit-status">Booked</span>' in card
    assert "zapys-cal-status-icon" not in card


def test_the_day_is_not_a_fixed_height_scroll_box():
    css = (Path(services.__file__).parents[1] / "static/schedule/calendar.css").read_text()
    rule = re.search(r"\.zapys-cal-scroll \{([^}]*)\}", css)
    assert rule and "max-height" not in rule.group(1) and "height" not in rule.group(1)
    assert "overflow-x: auto" in rule.group(1)  # a phone or many columns scroll sideways
