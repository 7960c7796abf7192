"""Schedule pages after the issue 17 screenshot review, in both languages: the working-hours
week names Sunday (a day off) and sits under the catalogue's tabs; the visits of the day
say a visit's status once, its buttons are actions ("Mark attended") and a charge says what
it was; headings separate the branch with "·"; the status colour is a swatch and the flood
limit is worded as a protection, with a help text."""

from __future__ import annotations

import re

import pytest

from tests.factories_ledger import make_entry
from tests.factories_schedule import SYSTEM, local, make_specialist, make_visit
from zapys.schedule import services


def _page(staff_client, language: str, url: str) -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = staff_client.get(url)
    assert response.status_code == 200, (language, url)
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "sunday", "day_off", "tab"),
    [("en", "Sun", "day off", "Working hours"), ("uk", "Нд", "вихідний", "Робочі години")],
)
def test_the_week_names_sunday_and_the_pages_keep_the_catalogue_tabs(
    staff_client, org, branch, spec, language, sunday, day_off, tab
):
    staff_client.post(f"/staff-hours/{spec.pk}/", {"form": "week", "day0": "09:00-18:00"})
    page = _page(staff_client, language, "/staff-hours/")
    assert len(re.findall(r'data-testid="hours-day">', page)) == 1
    off = re.findall(r'data-testid="hours-day-off"><b>([^<]*)</b> ([^<]*)</span>', page)
    assert len(off) == 6 and off[-1] == (sunday, day_off), off
    for url in ("/staff-hours/", f"/staff-hours/{spec.pk}/"):
        html = _page(staff_client, language, url)
        # the staff's page now (issue 17, fifth tour): the owner's settings menu marks it
        tabs = html.split('data-testid="settings-tabs"')[1].split("</nav>")[0]
        assert re.search(
            rf'class="nav-link text-nowrap active" href="/staff-hours/"[^>]*>{tab}</a>', tabs
        ), (url, tabs)
        assert 'href="/settings/staff/"' in tabs
        assert f'<small class="text-muted">· {branch.name}</small></h1>' in html, url


def test_a_specialist_without_hours_is_not_set_not_a_week_of_days_off(
    staff_client, org, branch, spec
):
    make_specialist(org, branch, hours=None, first_name="Olha")
    page = _page(staff_client, "en", "/staff-hours/")
    row = page.split("Olha")[1].split("</tr>")[0]
    assert "hours-day" not in row and "Not set" in row


@pytest.mark.parametrize(
    ("language", "no_show", "charged", "why"),
    [
        ("en", "Mark no-show", "Charged to the balance", "the service price was charged"),
        ("uk", "Відмітити неявку", "Списано з балансу", "ціну послуги списано з балансу"),
    ],
)
def test_the_journal_says_a_visit_status_once_and_explains_a_charge(
    staff_client, org, branch, spec, service, client_a, language, no_show, charged, why
):
    make_entry(client_a, amount=service.price)  # the balance covers the price: charged
    # a past day: «Відмітити неявку» is offered from the visit's day on
    visit = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2025, 3, 4, 10)
    )
    services.attendance_mark(attendance=visit.attendances.get(), state="attended", actor=SYSTEM)
    page = _page(staff_client, language, "/attendance/?date=2025-03-04")
    row = page.split('data-testid="journal-visit"')[1]
    # the status once (the card's badge), not again beside the client
    assert 'data-testid="journal-state"' not in row
    # the buttons are actions (schedule/actions.py), not a second status
    assert f'data-testid="journal-absent">{no_show}</button>' in row
    charge = re.search(r'<span class="badge text-bg-info" title="([^"]*)"[^>]*>([^<]*)<', row)
    assert charge and charge.group(2) == charged and why in charge.group(1), row
    assert ">Balance<" not in row and ">Баланс<" not in row


@pytest.mark.parametrize(
    ("language", "label", "help_start"),
    [
        ("en", "Protection from automated bookings", "At most this many online bookings"),
        ("uk", "Захист від автоматичних записів", "Не більше стількох онлайн-записів"),
    ],
)
def test_schedule_settings_speak_the_administrators_language(
    staff_client, org, language, label, help_start
):
    page = _page(staff_client, language, "/settings/schedule/")
    assert label in page and help_start in page
    assert "IP address" not in page and "IP-адрес" not in page
    colour = re.search(r'<input type="color"[^>]*>', page)
    assert colour and "form-control-color" in colour.group(0)


def test_the_new_lesson_heading_separates_the_branch(staff_client, org, branch):
    for language in ("en", "uk"):
        page = _page(staff_client, language, "/calendar/lessons/new/")
        assert f'<small class="text-muted">· {branch.name}</small></h1>' in page
