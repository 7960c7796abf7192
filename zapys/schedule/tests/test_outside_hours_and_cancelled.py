"""Issue 17 leftovers on the calendar.

- A visit outside its specialist's working hours is allowed (overtime, a favour) but said:
  the saved visit's card names the hours, the calendar marks the card with a moon.
- A cancelled visit is drawn one way at every size and in the week (struck through, hatched,
  the word «Скасовано»); a short card keeps its status as an icon named for screen readers.
"""

from __future__ import annotations

from datetime import time

import pytest

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.core.audit import Actor
from zapys.schedule import selectors, services
from zapys.schedule.models import Visit
from zapys.schedule.tests.test_views import _card

SYSTEM = Actor.system("tests")


def _page(staff_client, language: str, view: str = "day") -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return staff_client.get(f"/calendar/?date=2030-03-04&view={view}").content.decode()


def _week_card(page: str, visit_id: int) -> str:
    start = page.rindex('<div class="zapys-week-visit', 0, page.index(f'data-visit="{visit_id}"'))
    return page[start : page.index("</div>\n", page.index('data-testid="cal-visit-who"', start))]


# --- outside working hours -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Outside working hours: Maria Koval works 09:00–18:00 on this day."),
        ("uk", "Поза робочими годинами: Maria Koval цього дня працює 09:00–18:00."),
    ],
)
def test_a_visit_created_after_hours_is_saved_and_its_card_names_the_hours(
    staff_client, org, branch, service, client_a, language, words
):
    spec = make_specialist(org, branch, first_name="Maria", last_name="Koval")
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    data = {"client": client_a.pk, "staff": spec.pk, "service": service.pk}
    r = staff_client.post(
        "/calendar/visits/new/",
        {**data, "starts_at": "2030-03-04T18:30"},
        headers={"HX-Request": "true"},
    )
    visit = Visit.objects.get()  # not refused
    page = r.content.decode()
    # the dialog becomes the visit's card with the warning, and the calendar reloads
    assert r.status_code == 200 and r["HX-Trigger-After-Swap"] == "calendarChanged"
    assert 'data-testid="visit-outside-hours"' in page and words in page
    assert 'data-testid="cal-visit-outside-hours"' in _card(_page(staff_client, language), visit.pk)


def test_a_visit_within_hours_has_no_warning_and_no_marker(
    staff_client, org, spec, service, client_a
):
    r = staff_client.post(
        "/calendar/visits/new/",
        {
            "client": client_a.pk,
            "staff": spec.pk,
            "service": service.pk,
            "starts_at": "2030-03-04T17:00",
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 204  # the dialog just closes, as before
    visit = Visit.objects.get()
    assert selectors.visit_hours_warning(visit) == ""
    assert "cal-visit-outside-hours" not in _card(_page(staff_client, "en"), visit.pk)
    assert (
        'data-testid="visit-outside-hours"'
        not in staff_client.get(
            f"/visits/{visit.pk}/", headers={"HX-Request": "true"}
        ).content.decode()
    )


def test_without_htmx_the_warning_is_a_message_on_the_calendar(
    staff_client, org, spec, service, client_a
):
    r = staff_client.post(
        "/calendar/visits/new/",
        {
            "client": client_a.pk,
            "staff": spec.pk,
            "service": service.pk,
            "starts_at": "2030-03-04T07:30",
        },
        follow=True,
    )
    assert "alert-warning" in r.content.decode() and "09:00–18:00" in r.content.decode()


def test_moving_a_visit_after_hours_warns_on_its_card(staff_client, org, spec, service, client_a):
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    r = staff_client.post(
        f"/visits/{visit.pk}/reschedule/",
        {"starts_at": "2030-03-04T20:00", "staff": spec.pk},
        headers={"HX-Request": "true"},
    )
    assert Visit.objects.get(pk=visit.pk).starts_at == local(org, 2030, 3, 4, 20)
    assert 'data-testid="visit-outside-hours"' in r.content.decode()


def test_a_day_without_hours_says_the_specialist_does_not_work(org, branch, service, client_a):
    mondays = make_specialist(org, branch, hours=[(0, time(10), time(18))], first_name="Olha")
    tuesday = make_visit(
        org, client=client_a, staff=mondays, service=service, starts_at=local(org, 2030, 3, 5, 12)
    )
    assert selectors.visit_hours_warning(tuesday) == (
        f"Outside working hours: {mondays} does not work on this day."
    )


def test_no_hours_set_at_all_is_not_a_warning(org, branch, service, client_a):
    """Hours never filled in are unknown, not "off": no warning on every visit."""
    unknown = make_specialist(org, branch, hours=None, first_name="Nadia")
    visit = make_visit(
        org, client=client_a, staff=unknown, service=service, starts_at=local(org, 2030, 3, 4, 22)
    )
    assert selectors.visit_hours_warning(visit) == ""


def test_a_cancelled_visit_after_hours_has_no_marker(staff_client, org, spec, service, client_a):
    late = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 19)
    )
    services.visit_cancel(visit=late, actor=SYSTEM)
    assert "cal-visit-outside-hours" not in _card(_page(staff_client, "en"), late.pk)
    assert selectors.visit_hours_warning(Visit.objects.get(pk=late.pk)) == ""


def test_the_calendar_marks_outside_hours_in_the_week_too(
    staff_client, org, spec, service, client_a
):
    late = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 19)
    )
    assert 'data-testid="cal-visit-outside-hours"' in _week_card(
        _page(staff_client, "en", "week"), late.pk
    )


# --- a cancelled visit, one way --------------------------------------------------------------


@pytest.mark.parametrize(("language", "cancelled"), [("en", "Cancelled"), ("uk", "Скасовано")])
def test_a_cancelled_visit_is_drawn_one_way_at_every_length_and_in_the_week(
    staff_client, org, branch, spec, language, cancelled
):
    lengths = (15, 30, 60)
    visits = []
    for hour, minutes in zip((10, 12, 14), lengths, strict=True):
        service = make_service(org, f"S{minutes}", duration_minutes=minutes, branches=[branch])
        visit = make_visit(
            org,
            client=make_client(org, f"Client {minutes}"),
            staff=spec,
            service=service,
            starts_at=local(org, 2030, 3, 4, hour),
        )
        services.visit_cancel(visit=visit, actor=SYSTEM)
        visits.append(visit)
    kept = make_visit(
        org,
        client=make_client(org, "Kept Kateryna"),
        staff=spec,
        service=service,
        starts_at=local(org, 2030, 3, 4, 16),
    )
    day, week = _page(staff_client, language), _page(staff_client, language, "week")
    for card in [_card(day, v.pk) for v in visits] + [_week_card(week, v.pk) for v in visits]:
        assert "zapys-cal-visit-cancelled" in card, card
        assert "zapys-cal-time" in card  # struck through by the one rule
        assert "zapys-cal-cancelled-badge" in card and f">{cancelled}</span>" in card
    for card in (_card(day, kept.pk), _week_card(week, kept.pk)):
        assert "zapys-cal-visit-cancelled" not in card and "zapys-cal-cancelled-badge" not in card


def test_a_fifteen_minute_card_keeps_its_status_as_a_named_icon(
    staff_client, org, branch, spec, client_a
):
    quick = make_service(org, "Fringe", duration_minutes=15, branches=[branch])
    visit = make_visit(
        org, client=client_a, staff=spec, service=quick, starts_at=local(org, 2030, 3, 4, 10)
    )
    card = _card(_page(staff_client, "uk"), visit.pk)
    assert "zapys-cal-visit-xs" in card
    assert 'title="Записано"' in card and 'data-testid="cal-visit-status">Записано</span>' in card
    week = _week_card(_page(staff_client, "uk", "week"), visit.pk)
    assert 'data-testid="cal-visit-status">Записано</span>' in week


def test_the_cancelled_rule_strikes_through_time_and_client():
    from pathlib import Path

    css = (Path(services.__file__).parents[1] / "static/schedule/calendar.css").read_text()
    assert (
        ".zapys-cal-visit-cancelled .zapys-cal-time, .zapys-cal-visit-cancelled "
        "[data-testid=cal-visit-who] { text-decoration: line-through; }"
    ) in css
