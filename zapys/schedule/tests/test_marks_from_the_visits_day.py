"""«Відмітити прихід» / «Відмітити неявку» from the visit's day on (sixth tour, #22).

The card of a visit nine days ahead offered «Відмітити прихід» and «Відмітити неявку»:
nobody has come or failed to come yet. The card and «Візити дня» offer them from the visit's
day on, in the organization's calendar (`services.attendance.marks_open`); the visit's other
actions (confirm, cancel, move, the prepayment) stay. The service still takes an early mark
from an API caller (a correction): only the pages stop offering it.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, make_visit
from zapys.catalog.services import subject_create
from zapys.core.tenancy import organization_zone
from zapys.schedule import services
from zapys.schedule.models import Visit
from zapys.schedule.services.attendance import marks_open

pytestmark = pytest.mark.django_db

#: the marks' words in both languages: none may be on a page of a visit days ahead
MARK_WORDS = {
    "en": ("Mark attended", "Mark no-show"),
    "uk": ("Відмітити прихід", "Відмітити неявку"),
}


def _today(org) -> datetime:
    """10:00 of today in the organization's calendar."""
    zone = organization_zone(org)
    return datetime.combine(timezone.now().astimezone(zone).date(), time(10), zone)


def _ahead(org, days: int = 9) -> datetime:
    return _today(org) + timedelta(days=days)


def _page(staff_client, url: str, language: str, **headers: str) -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = staff_client.get(url, headers=headers)
    assert response.status_code == 200, (url, language)
    return response.content.decode()


def _card(staff_client, visit: Visit, language: str) -> str:
    return _page(staff_client, f"/visits/{visit.pk}/", language, **{"HX-Request": "true"})


def _journal(staff_client, visit: Visit, language: str) -> str:
    day = visit.starts_at.astimezone(organization_zone(visit.organization)).date()
    return _page(staff_client, f"/attendance/?date={day.isoformat()}", language)


def _status_buttons(card: str) -> set[str]:
    return set(re.findall(r'data-testid="status-([a-z_0-9-]+)"', card))


def _marks(page: str, prefix: str) -> set[str]:
    """The attendance marks a page offers: `mark` on the card, `journal` on the day's page."""
    return set(re.findall(rf'data-testid="{prefix}-(planned|attended|absent|cancelled)"', page))


def _lesson(org, branch, spec, starts_at: datetime) -> Visit:
    subject = subject_create(organization=org, name="Stretching", actor=SYSTEM)
    (lesson,) = services.lesson_create(
        organization=org,
        branch=branch,
        staff=spec,
        subject=subject,
        starts_at=starts_at,
        duration_minutes=45,
        price=0,
        client_ids=[make_client(org).pk, make_client(org).pk],
        actor=SYSTEM,
    )
    return lesson


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_visit_days_ahead_offers_no_arrival_or_no_show_but_its_other_actions(
    staff_client, org, spec, service, client_a, language
):
    services.visit_statuses_ensure(organization=org)
    services.visit_status_create(
        organization=org, name="Arrived early", counts_as_came=True, actor=SYSTEM
    )
    visit = make_visit(org, client=client_a, staff=spec, service=service, starts_at=_ahead(org))
    card = _card(staff_client, visit, language)
    # «Підтвердити» stays; «прийшов», «не прийшов» and a salon's own "came" status do not
    assert _status_buttons(card) == {"confirmed"}, _status_buttons(card)
    for word in MARK_WORDS["en"] + MARK_WORDS["uk"] + ("Arrived early",):
        assert word not in card, word
    # cancel, move and the prepayment stay
    for testid in ("visit-cancel", "visit-reschedule", "visit-booking-link"):
        assert f'data-testid="{testid}"' in card, testid
    journal = _journal(staff_client, visit, language)
    assert journal.count('data-testid="journal-row"') == 1
    assert _marks(journal, "journal") == {"cancelled"}
    for word in MARK_WORDS["en"] + MARK_WORDS["uk"]:
        assert word not in journal, word


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_visit_today_offers_the_marks(staff_client, org, spec, service, client_a, language):
    services.visit_statuses_ensure(organization=org)
    visit = make_visit(org, client=client_a, staff=spec, service=service, starts_at=_today(org))
    card = _card(staff_client, visit, language)
    assert _status_buttons(card) == {"confirmed", "came", "no_show"}
    attended, no_show = MARK_WORDS[language]
    assert f">{attended}</button>" in card and f">{no_show}</button>" in card
    assert 'data-testid="visit-cancel"' in card and 'data-testid="visit-reschedule"' in card
    journal = _journal(staff_client, visit, language)
    assert _marks(journal, "journal") == {"attended", "absent", "cancelled"}
    assert f">{attended}</button>" in journal and f">{no_show}</button>" in journal


@pytest.mark.parametrize("language", ["en", "uk"])
def test_a_lesson_days_ahead_offers_its_participants_only_cancel(
    staff_client, org, branch, spec, language
):
    lesson = _lesson(org, branch, spec, _ahead(org, days=3))
    card = _card(staff_client, lesson, language)
    assert card.count('data-testid="attendance-state"') == 2  # both participants listed
    assert _marks(card, "mark") == {"cancelled"}
    assert 'data-testid="visit-cancel"' in card and 'data-testid="visit-reschedule"' in card
    assert _marks(_journal(staff_client, lesson, language), "journal") == {"cancelled"}
    today = _lesson(org, branch, spec, _today(org) + timedelta(hours=2))
    assert _marks(_card(staff_client, today, language), "mark") == {
        "attended",
        "absent",
        "cancelled",
    }


def test_the_marks_open_on_the_visits_day_in_the_organizations_calendar(
    org, spec, service, client_a
):
    visit = make_visit(org, client=client_a, staff=spec, service=service, starts_at=_ahead(org, 1))
    zone = organization_zone(org)
    eve = visit.starts_at.astimezone(zone).replace(hour=23, minute=59)
    assert not marks_open(visit, eve - timedelta(days=1))
    assert marks_open(visit, eve.replace(hour=0, minute=0))  # the day's first minute
    assert marks_open(visit, eve + timedelta(days=5))  # and after it


def test_the_card_costs_the_same_queries_ahead_as_today(staff_client, org, spec, service, client_a):
    """Whether the marks are open is read from the visit already loaded: no query."""
    services.visit_statuses_ensure(organization=org)
    today = make_visit(org, client=client_a, staff=spec, service=service, starts_at=_today(org))
    ahead = make_visit(org, client=client_a, staff=spec, service=service, starts_at=_ahead(org))
    staff_client.get(f"/visits/{today.pk}/", headers={"HX-Request": "true"})  # warm the caches
    counts = {}
    for name, visit in (("today", today), ("ahead", ahead)):
        with CaptureQueriesContext(connection) as queries:
            card = staff_client.get(f"/visits/{visit.pk}/", headers={"HX-Request": "true"})
        assert card.status_code == 200
        counts[name] = len(queries.captured_queries)
    assert counts["ahead"] == counts["today"], counts
