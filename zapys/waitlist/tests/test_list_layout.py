"""The list page reads well at 1366 px in both languages: the status filter is not clipped,
the Show button lines up, the offer cell does not break inside a date or an amount, a status
stays on one line, an offer's deadline says its day unless it is today, the busy-time note keeps the
specialist's name in the nominative, and counts have real plurals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.months import MONTHS
from zapys.core.audit import Actor
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.deadlines import deadline_words
from zapys.waitlist.models import Offer
from zapys.waitlist.tests.test_sweep_queries import lapsed_offers

SYSTEM = Actor.system("tests")


def _page(staff_client, language: str, url: str = "/waitlist/") -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return staff_client.get(url).content.decode()


def test_filters_share_the_row_and_the_button_lines_up(staff_client, org, salon):
    page = _page(staff_client, "en")
    columns = re.findall(r'<div class="([^"]*)" data-testid="filter-col">', page)
    # the status choice takes what its longest option needs (it was cut off in col-md-3;
    # col-md-5 left "All specialists" cut at 1366 px); the small selects of a filter row;
    # the branch beside the status, then a new line: four in one cut their words
    assert columns == [
        "col-12 col-sm-6 col-md-auto",
        "col-12 col-sm-6 col-md",
        "col-12 col-sm-6 col-md",
        "col-12 col-sm-6 col-md",
    ]
    assert re.findall(r'data-testid="filter-col">.*?<select name="(\w+)"', page, re.S) == [
        "status",
        "branch",
        "service",
        "staff",
    ]
    assert page.count('<div class="w-100 d-none d-md-block"></div>') == 1
    assert (
        '<div class="col-12 col-md-auto mb-3"><button class="btn btn-primary btn-sm" data-testid'
        in page
    )
    assert page.count('class="form-select form-select-sm"') == 4
    assert "Очікують / з пропозицією" in _page(staff_client, "uk")


def test_the_offer_cell_keeps_dates_and_amounts_whole(
    staff_client, org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    services.entry_create(
        organization=org,
        client=make_client(),
        service=service,
        date_from=day,
        date_to=day,
        actor=SYSTEM,
    )
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    assert Offer.objects.get().status == "open"
    client_page = f"/clients/{Offer.objects.get().entry.client_id}/waitlist/"
    for language, pay_by in (("en", "Awaiting payment"), ("uk", "Очікує оплати")):
        # the client's own page has the offer's details, one a line, none breaking inside:
        # the cell was cut at "оплатити до 18:3"
        page = _page(staff_client, language, client_page)
        cell = re.search(r'data-testid="entry-offer">(.*?)</td>', page, re.S)
        assert cell, language
        html = cell.group(1)
        assert html.count('<div class="text-nowrap">') == 2  # the time and the amount
        status = '<span class="badge text-bg-light text-wrap text-start">'
        assert f"{status}{pay_by}</span>" in html, html
        # the deadline on a line of its own under "Awaiting payment", not breaking inside
        assert '<div class="text-nowrap text-muted" data-testid="offer-pay-by">' in html
        # the list: the status with the offered time and its deadline, each on one line
        # (the specialist, amount and state are on the client's page)
        listed = _page(staff_client, language)
        cell = re.search(r'data-testid="entry-offer">(.*?)</td>', listed, re.S)
        assert cell, language
        html = cell.group(1)
        assert 'class="badge text-bg-light text-nowrap" data-testid="entry-status"' in html
        assert html.count('<div class="small text-nowrap">') == 1  # the offered time
        assert '<div class="small text-nowrap text-muted" data-testid="offer-pay-by">' in html
        assert 'data-testid="offer-staff"' not in html


def test_the_list_has_four_columns_and_names_on_one_line(staff_client, org, salon, make_client):
    _specialist, service = salon
    today = timezone.localdate()
    customer = make_client()
    services.entry_create(
        organization=org,
        client=customer,
        service=service,
        date_from=today,
        date_to=today + timedelta(days=7),
        actor=SYSTEM,
    )
    page = _page(staff_client, "uk")
    table = page.split('data-testid="entries-table"')[1].split("</table>")[0]
    assert (
        len(re.findall(r"<th[ >]", table.split("</thead>")[0])) == 4
    )  # client, waits for, status, ×
    # the name on one line, a link to the client's waiting list (the row's details)
    assert (
        '<td class="text-nowrap" data-testid="entry-client">'
        f'<a href="/clients/{customer.pk}/waitlist/">{customer.name}</a></td>' in table
    )


def test_the_busy_time_note_keeps_the_name_nominative(staff_client, org, salon, booked_slot):
    url = reverse("waitlist:visit_entry", args=[booked_slot.pk])
    uk = _page(staff_client, "uk", url)
    note = re.search(r'data-testid="from-visit">(.*?)</div>', uk, re.S)
    assert note and "· Iryna Bondar." in note.group(1) and note.group(1).startswith("Зайнято: ")
    assert " у Iryna" not in uk
    en = _page(staff_client, "en", url)
    assert "with Iryna Bondar is taken" in en


def test_the_resold_counts_have_plurals(staff_client, org, branch, salon):
    specialist, service = salon
    lapsed_offers(org, branch, specialist, service, 3, timezone.now())
    booked = list(Offer.objects.order_by("id").values_list("pk", flat=True)[:2])
    Offer.objects.filter(pk__in=booked).update(status="booked", closed_at=timezone.now())
    expected = {
        "en": ("2 slots", "2 slots in 30 days"),
        "uk": ("2 віконця", "2 віконця за 30 днів"),
    }
    for language, (on_list, on_card) in expected.items():
        page = _page(staff_client, language)
        assert f'data-testid="resold-count">{on_list}</span>' in page, language
        card = _page(staff_client, language, "/")
        assert on_card in card and "(s)" not in card, language


def test_the_busy_time_note_writes_the_date_like_the_table(staff_client, org, salon, booked_slot):
    """One date format on the page: the note said "5 грудня 2026, 01:19" beside the
    table's "05.12.2026" (issue 17 review)."""
    when = timezone.localtime(booked_slot.starts_at).strftime("%d.%m.%Y %H:%M")
    url = reverse("waitlist:visit_entry", args=[booked_slot.pk])
    for language, text in (("uk", f"Зайнято: {when} · "), ("en", f"The time {when} with ")):
        note = re.search(
            r'data-testid="from-visit">(.*?)</div>', _page(staff_client, language, url), re.S
        )
        assert note and text in note.group(1), (language, note and note.group(1))


def _offered(org, salon, booked_slot, make_client, on_commit) -> Offer:
    """A client waiting for the booked slot's day gets an open offer when it is freed."""
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    services.entry_create(
        organization=org,
        client=make_client(),
        service=service,
        date_from=day,
        date_to=day,
        actor=SYSTEM,
    )
    with on_commit(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    return Offer.objects.get(status="open")


def test_the_offered_status_stays_on_one_line(
    staff_client, org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    """«Запропоновано час» wrapped inside its badge onto two squeezed lines (issue 17)."""
    _offered(org, salon, booked_slot, make_client, django_capture_on_commit_callbacks)
    for language, word in (("uk", "Запропоновано час"), ("en", "Offered a time")):
        page = _page(staff_client, language)
        assert (
            f'<span class="badge text-bg-light text-nowrap" data-testid="entry-status">{word}'
            in page
        ), language


def _pay_by(staff_client, language: str) -> str:
    page = _page(staff_client, language)
    cell = re.search(r'data-testid="offer-pay-by">(.*?)</div>', page, re.S)
    assert cell, language
    return cell.group(1)


def test_pay_by_says_the_day_unless_it_is_today(
    staff_client, org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    """«оплатити до 19:41» showed a time alone: an offer made late runs past midnight, and
    one left open for days looked due today. Under "Awaiting payment", today and tomorrow
    are said in words, any other day by its date."""
    offer = _offered(org, salon, booked_slot, make_client, django_capture_on_commit_callbacks)
    today = timezone.localdate()

    def due(days: int, hour: int, minute: int) -> None:
        moment = datetime.combine(today + timedelta(days=days), time(hour, minute))
        Offer.objects.filter(pk=offer.pk).update(
            expires_at=timezone.make_aware(moment, timezone.get_current_timezone())
        )

    due(0, 23, 59)
    assert _pay_by(staff_client, "uk") == "сьогодні до 23:59"
    assert _pay_by(staff_client, "en") == "today by 23:59"
    due(1, 0, 5)
    assert _pay_by(staff_client, "uk") == "завтра до 00:05"
    assert _pay_by(staff_client, "en") == "tomorrow by 00:05"
    later = today + timedelta(days=3)
    year = "" if later.year == today.year else f" {later.year}"
    due(3, 9, 30)
    uk_month, en_month = MONTHS["uk"][later.month - 1], MONTHS["en"][later.month - 1]
    assert _pay_by(staff_client, "uk") == f"до {later.day} {uk_month}{year}, 09:30"
    assert _pay_by(staff_client, "en") == f"by {later.day} {en_month}{year}, 09:30"


@pytest.mark.parametrize(
    ("now", "deadline", "uk", "en"),
    [
        # Kyiv is UTC+2 in December: 17:41 UTC is 19:41 there
        ("2026-12-04 17:00", "2026-12-04 17:41", "сьогодні до 19:41", "today by 19:41"),
        # 22:05 UTC is 00:05 in Kyiv: the next day there, though the same day in UTC
        ("2026-12-04 21:50", "2026-12-04 22:05", "завтра до 00:05", "tomorrow by 00:05"),
        ("2026-12-04 17:00", "2026-12-05 17:41", "завтра до 19:41", "tomorrow by 19:41"),
        ("2026-12-04 17:00", "2026-12-06 17:41", "до 6 грудня, 19:41", "by 6 December, 19:41"),
        ("2026-12-04 17:00", "2026-12-01 17:41", "до 1 грудня, 19:41", "by 1 December, 19:41"),
        (
            "2026-12-30 17:00",
            "2027-01-02 08:00",
            "до 2 січня 2027, 10:00",
            "by 2 January 2027, 10:00",
        ),
    ],
)
def test_deadline_words_in_the_organizations_day(now, deadline, uk, en):
    def utc(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    with timezone.override(ZoneInfo("Europe/Kyiv")):
        for language, expected in (("uk", uk), ("en", en)):
            with translation.override(language):
                assert deadline_words(utc(deadline), now=utc(now)) == expected


def test_the_offer_page_says_the_deadlines_day(
    client, org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    """The client's page said "confirm by 00:05" for tomorrow's 00:05 too; the deadline
    stays whole on a phone's narrow line."""
    offer = _offered(org, salon, booked_slot, make_client, django_capture_on_commit_callbacks)
    tomorrow = timezone.localdate() + timedelta(days=1)
    Offer.objects.filter(pk=offer.pk).update(
        expires_at=timezone.make_aware(
            datetime.combine(tomorrow, time(0, 5)), timezone.get_current_timezone()
        )
    )
    for language, words in (
        (
            "uk",
            'Запишемо вас, якщо ви підтвердите <span class="text-nowrap">завтра до 00:05</span>.',
        ),
        ("en", 'It is yours if you confirm <span class="text-nowrap">tomorrow by 00:05</span>.'),
    ):
        client.cookies["django_language"] = language  # the page's language switch
        page = client.get(f"/w/{offer.token}/").content.decode()
        assert words in page, language
