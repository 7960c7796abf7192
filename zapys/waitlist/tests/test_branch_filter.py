"""The waiting list in a branch, and the day its kept times are offered.

The dashboard card counted the clients waiting in the header's branch and linked to the
list, which had no branch filter: «чекають: 4» opened a list of nine. The list now filters
by a branch with the card's own rule (`selectors.entry_in_branch`: an entry names no branch,
each thing it names must be had there) and the card's link carries its branch.

"3 freed times will be offered at 08:00" gave the time but not the day: kept at 23:00, the
time is offered tomorrow. It says «сьогодні о 08:00» / «завтра о 08:00» (core/dates.py).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from tests.factories import make_branch
from tests.factories_schedule import make_service, make_specialist
from zapys.core.audit import Actor
from zapys.core.dates import moment_relative
from zapys.core.tenancy import organization_zone
from zapys.waitlist import selectors, services
from zapys.waitlist.models import DeferredSlot, Entry

SYSTEM = Actor.system("tests")
LIVE = (Entry.Status.WAITING, Entry.Status.OFFERED)


@pytest.fixture
def two_branches(org, branch, salon, make_client):
    """Entries of the main branch, of Podil, of both and of neither (as the card's test)."""
    specialist, here_only = salon  # Iryna and the manicure: the main branch's
    podil = make_branch(org, "Поділ")
    taras = make_specialist(org, podil, first_name="Taras", last_name="Melnyk")
    there_only = make_service(org, "Pedicure", branches=[podil])
    everywhere = make_service(org, "Consultation", branches=[])
    names = {}
    for name, service, staff in (
        ("Main Maria", here_only, None),
        ("Main Iryna's", here_only, specialist),
        ("Podil Petro", there_only, None),
        ("Podil Taras's", there_only, taras),
        ("Both Bohdana", everywhere, None),
        ("Podil Taras's consult", everywhere, taras),
        ("Neither Nadia", here_only, taras),  # the manicure is not done where Taras works
    ):
        entry = services.entry_create(
            organization=org, client=make_client(name), service=service, staff=staff, actor=SYSTEM
        )
        names[entry.pk] = name
    return podil, names


def _rows(html: str) -> list[str]:
    return re.findall(r'data-testid="entry-row"', html)


def _card(staff_client, branch):
    response = staff_client.get("/", {"branch": branch.pk})
    return next(w for w in response.context["widgets"] if w["url"].startswith("/waitlist/"))


def test_the_card_leads_to_the_list_of_its_branch(staff_client, org, branch, two_branches):
    podil, names = two_branches
    for chosen, expected in (
        (branch, {"Main Maria", "Main Iryna's", "Both Bohdana"}),
        (podil, {"Podil Petro", "Podil Taras's", "Both Bohdana", "Podil Taras's consult"}),
    ):
        card = _card(staff_client, chosen)
        assert card["url"] == f"/waitlist/?branch={chosen.pk}"
        waiting = int(re.findall(r"\d+", card["hint"].split("·")[1])[0])
        page = staff_client.get(card["url"]).content.decode()
        table = page.split('data-testid="entries-table"')[1].split("</table>")[0]
        shown = {name for name in names.values() if f">{escape(name)}</a>" in table}
        assert shown == expected
        assert len(_rows(page)) == waiting == len(expected)  # what the card said it opens
        # the filter shows the branch chosen
        assert re.search(rf'<option value="{chosen.pk}" selected>', page)
    everyone = staff_client.get("/waitlist/").content.decode()
    assert len(_rows(everyone)) == len(names)


def test_the_filter_is_the_cards_rule_not_a_copy(org, branch, two_branches):
    podil, _names = two_branches
    for chosen in (branch, podil):
        listed = selectors.entry_list(selectors.EntryFilters(branch=chosen)).filter(status__in=LIVE)
        assert listed.count() == selectors.waiting_count(chosen)


def test_a_branch_filters_with_the_other_filters(staff_client, org, branch, two_branches):
    podil, _names = two_branches
    page = staff_client.get(f"/waitlist/?branch={podil.pk}&status=booked").content.decode()
    assert not _rows(page)
    bad = staff_client.get("/waitlist/?branch=999999").content.decode()  # not a choice
    assert len(_rows(bad)) == 7


def test_the_filtered_list_costs_the_same_queries_whatever_it_holds(
    staff_client, org, branch, salon, make_client, django_assert_num_queries
):
    _specialist, service = salon
    url = f"/waitlist/?branch={branch.pk}"
    services.entry_create(organization=org, client=make_client(), service=service, actor=SYSTEM)
    staff_client.get(url)  # what is read once and kept (the session, the statuses)
    with CaptureQueriesContext(connection) as one:
        assert len(_rows(staff_client.get(url).content.decode())) == 1
    for _i in range(8):
        services.entry_create(organization=org, client=make_client(), service=service, actor=SYSTEM)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(_rows(staff_client.get(url).content.decode())) == 9


@pytest.mark.parametrize(
    ("offer_at", "uk", "en"),
    [
        (datetime(2030, 3, 4, 8), "сьогодні о 08:00", "today at 08:00"),
        (datetime(2030, 3, 5, 8), "завтра о 08:00", "tomorrow at 08:00"),
        (datetime(2030, 3, 7, 8, 30), "7 березня о 08:30", "7 March at 08:30"),
        (datetime(2031, 1, 2, 8), "2 січня 2031 о 08:00", "2 January 2031 at 08:00"),
    ],
)
def test_a_moment_says_its_day(offer_at, uk, en):
    today = date(2030, 3, 4)
    for language, words in (("uk", uk), ("en", en)):
        with translation.override(language):
            assert moment_relative(offer_at, today=today) == words


@pytest.mark.parametrize(
    ("hour", "uk", "en"),
    [
        (23, "2 звільнені віконця запропонуємо завтра о 08:00", "2 freed times will be offered tomorrow at 08:00"),
        (2, "2 звільнені віконця запропонуємо сьогодні о 08:00", "2 freed times will be offered today at 08:00"),
    ],
)  # fmt: skip
def test_the_list_says_the_day_the_kept_times_are_offered(
    client, owner, org, branch, salon, booked_slot, hour, uk, en
):
    """Kept at 23:00, a time goes out tomorrow morning; kept at 02:00, this morning."""
    specialist, service = salon
    zone = organization_zone(org)
    day = timezone.localdate() + timedelta(days=10)
    now = datetime.combine(day, time(hour), zone)
    morning = datetime.combine(day + timedelta(days=1 if hour >= 8 else 0), time(8), zone)
    DeferredSlot.objects.bulk_create(
        DeferredSlot(
            organization=org,
            source=booked_slot,
            staff=specialist,
            service=service,
            branch=branch,
            starts_at=booked_slot.starts_at + timedelta(hours=i),
            ends_at=booked_slot.ends_at + timedelta(hours=i),
            amount=service.price,
            offer_at=morning,
        )
        for i in range(2)
    )
    with time_machine.travel(now, tick=False):
        client.force_login(owner)
        for language, words in (("uk", uk), ("en", en)):
            owner.language = language
            owner.save(update_fields=["language"])
            page = client.get("/waitlist/").content.decode()
            note = page.split('data-testid="deferred">')[1].split("</div>")[0]
            assert note == words, language
