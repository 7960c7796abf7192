"""The schedule's words after the review of 2026-12-05: the day's attendance page is
"Visits of the day" everywhere it is named, the move form asks for a "New time", buttons
that change a visit's status say what they do while the badge keeps the state, a group
lesson is a "Group class" in the model's own label, and the schedule's sub-pages say where
they are."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories_schedule import SYSTEM, local, make_visit
from zapys.schedule import services
from zapys.schedule.models import Visit, VisitStatus

pytestmark = pytest.mark.django_db


def _page(staff_client, url: str, language: str, **headers: str) -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = staff_client.get(url, headers=headers)
    assert response.status_code == 200, (url, language)
    return response.content.decode()


def _buttons(card: str) -> dict[str, str]:
    """The visit card's status buttons: status code → label."""
    return dict(re.findall(r'data-testid="status-([a-z_0-9-]+)">([^<]*)</button>', card))


def _crumbs(page: str) -> list[str]:
    trail = re.search(r'<ol class="breadcrumb[^"]*"[^>]*>(.*?)</ol>', page, re.S)
    assert trail, "no breadcrumb"
    return [
        " ".join(re.sub(r"<[^>]+>", "", item).split())
        for item in trail.group(1).split("</li>")[:-1]
    ]


@pytest.mark.parametrize(
    ("language", "title", "calendar"),
    [("en", "Visits of the day", "Calendar"), ("uk", "Візити дня", "Календар")],
)
def test_the_days_visits_page_is_named_the_same_in_the_calendar_title_and_trail(
    staff_client, org, branch, language, title, calendar
):
    page = _page(staff_client, "/attendance/?date=2030-03-04", language)
    assert f"<title>{title} ·" in page
    assert f'<h1 class="h4 mb-0">{title}</h1>' in page
    assert _crumbs(page) == [calendar, title]
    assert 'href="/calendar/?date=2030-03-04">' in page  # back to the same day
    cal = _page(staff_client, "/calendar/?date=2030-03-04", language)
    link = re.search(r'data-testid="calendar-day-visits"><i[^>]*></i> ([^<]*)</a>', cal)
    assert link and link.group(1) == title
    for old in ("Attendance journal", "Журнал відвідувань"):
        assert old not in page and old not in cal


@pytest.mark.parametrize(("language", "label"), [("en", "New time"), ("uk", "Новий час")])
def test_the_move_form_asks_for_a_new_time(
    staff_client, org, spec, service, client_a, language, label
):
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    card = _page(staff_client, f"/visits/{visit.pk}/", language, **{"HX-Request": "true"})
    move = card.split('data-testid="visit-reschedule"')[0].rsplit("<form", 1)[1]
    assert f'<label class="form-label small">{label}</label>' in move
    assert "New start" not in card and "Новий початок" not in card


@pytest.mark.parametrize(
    ("language", "booked", "confirmed", "buttons_when_booked", "back"),
    [
        (
            "en",
            "Booked",
            "Confirmed",
            {"confirmed": "Confirm", "came": "Mark attended", "no_show": "Mark no-show"},
            "Back to booked",
        ),
        (
            "uk",
            "Записано",
            "Підтверджено",
            {"confirmed": "Підтвердити", "came": "Відмітити прихід", "no_show": "Відмітити неявку"},
            "Повернути «Записано»",
        ),
    ],
)
def test_status_buttons_say_what_they_do_and_the_badge_the_state(
    staff_client,
    org,
    spec,
    service,
    client_a,
    language,
    booked,
    confirmed,
    buttons_when_booked,
    back,
):
    statuses = services.visit_statuses_ensure(organization=org)
    # a past day: «Відмітити прихід» / «неявку» are offered from the visit's day on
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2025, 3, 4, 10)
    )
    card = _page(staff_client, f"/visits/{visit.pk}/", language, **{"HX-Request": "true"})
    assert re.findall(r'data-testid="visit-status">([^<]*)<', card) == [booked]
    assert _buttons(card) == buttons_when_booked
    # pressing "Confirm" confirms: the badge now says the state, a button the way back
    staff_client.post(
        f"/visits/{visit.pk}/status/",
        {"status_id": statuses["confirmed"].pk},
        headers={"HX-Request": "true"},
    )
    visit.refresh_from_db()
    assert visit.status_id == statuses["confirmed"].pk
    card = _page(staff_client, f"/visits/{visit.pk}/", language, **{"HX-Request": "true"})
    assert re.findall(r'data-testid="visit-status">([^<]*)<', card) == [confirmed]
    assert _buttons(card)["booked"] == back
    assert "confirmed" not in _buttons(card)


@pytest.mark.parametrize(
    ("language", "custom", "renamed"),
    [
        ("en", "Mark: Paid at the desk", "Mark: Клієнт підтвердив"),
        ("uk", "Позначити: Paid at the desk", "Позначити: Клієнт підтвердив"),
    ],
)
def test_a_custom_or_renamed_status_is_marked_by_its_own_name(
    staff_client, org, spec, service, client_a, language, custom, renamed
):
    """A status the salon made, or a default it renamed (its meaning may have moved with the
    name), has no verb of ours: «Позначити: <its name>»."""
    statuses = services.visit_statuses_ensure(organization=org)
    services.visit_status_create(organization=org, name="Paid at the desk", actor=SYSTEM)
    services.visit_status_update(
        status=statuses["confirmed"], name="Клієнт підтвердив", actor=SYSTEM
    )
    # a past day, so the marks are offered too
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2025, 3, 4, 10)
    )
    card = _page(staff_client, f"/visits/{visit.pk}/", language, **{"HX-Request": "true"})
    buttons = _buttons(card)
    assert buttons["confirmed"] == renamed
    assert custom in buttons.values()
    assert len(buttons) == 4, buttons  # and the untouched defaults keep their verbs


def test_the_status_buttons_cost_no_query_per_status(staff_client, org, spec, service, client_a):
    services.visit_statuses_ensure(organization=org)
    # a past day, so the marks are offered too
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2025, 3, 4, 10)
    )
    url = f"/visits/{visit.pk}/"
    staff_client.get(url, headers={"HX-Request": "true"})  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url, headers={"HX-Request": "true"})
    for n in range(4):
        services.visit_status_create(organization=org, name=f"Custom {n}", actor=SYSTEM)
    with CaptureQueriesContext(connection) as many:
        card = staff_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert len(_buttons(card)) == 7
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_status_the_system_sets_is_never_a_button(staff_client, org, spec, service, client_a):
    services.visit_statuses_ensure(organization=org)
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    card = _page(staff_client, f"/visits/{visit.pk}/", "en", **{"HX-Request": "true"})
    assert "cancelled_unpaid" not in _buttons(card) and "cancelled" not in _buttons(card)
    assert VisitStatus.objects.filter(code="cancelled_unpaid", is_system=True).exists()


@pytest.mark.parametrize(("language", "label"), [("en", "Group class"), ("uk", "Групове заняття")])
def test_a_lessons_kind_is_a_group_class_as_the_calendar_says(language, label):
    with translation.override(language):
        assert str(Visit.Kind.LESSON.label) == label
    field = Visit._meta.get_field("kind")
    assert dict(field.choices)["lesson"] == Visit.Kind.LESSON.label


@pytest.mark.parametrize(
    ("language", "calendar", "new_class", "new_visit", "hours"),
    [
        ("en", "Calendar", "New group class", "New visit", "Working hours"),
        ("uk", "Календар", "Нове групове заняття", "Новий візит", "Робочі години"),
    ],
)
def test_the_schedules_sub_pages_say_where_they_are(
    staff_client,
    org,
    branch,
    spec,
    service,
    client_a,
    language,
    calendar,
    new_class,
    new_visit,
    hours,
):
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    assert _crumbs(_page(staff_client, "/calendar/lessons/new/", language)) == [calendar, new_class]
    assert _crumbs(_page(staff_client, "/calendar/visits/new/", language)) == [calendar, new_visit]
    page = _page(staff_client, f"/staff-hours/{spec.pk}/", language)
    assert _crumbs(page) == [hours, str(spec)]
    page = _page(staff_client, f"/visits/{visit.pk}/", language)
    assert _crumbs(page) == [calendar, visit.title]
    assert 'href="/calendar/?date=2030-03-04">' in page  # the visit's day
