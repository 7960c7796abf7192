"""The list page reads well at 1366 px in both languages: the status filter is not clipped,
the Show button lines up, the offer cell does not break inside a date or an amount, the
busy-time note keeps the specialist's name in the nominative, and counts have real plurals."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.schedule import services as schedule
from zapys.waitlist import services
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
    # col-md-5 left "All specialists" cut at 1366 px); the small selects of a filter row
    assert columns == [
        "col-12 col-sm-6 col-md-auto",
        "col-12 col-sm-6 col-md",
        "col-12 col-sm-6 col-md",
    ]
    assert (
        '<div class="col-12 col-md-auto mb-3"><button class="btn btn-primary btn-sm" data-testid'
        in page
    )
    assert page.count('class="form-select form-select-sm"') == 3
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
    for language, pay_by in (("en", "pay by"), ("uk", "оплатити до")):
        page = _page(staff_client, language)
        cell = re.search(r'data-testid="entry-offer">(.*?)</td>', page, re.S)
        assert cell, language
        html = cell.group(1)
        # one detail a line, none breaking inside: the cell was cut at "оплатити до 18:3"
        assert html.count('<div class="text-nowrap">') == 2  # the time and the amount
        assert '<span class="badge text-bg-light text-wrap text-start">' in html  # status
        assert f'<div class="text-nowrap text-muted">{pay_by} ' in html, html


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
        "en": ("2 slots", "2 slots, 30 days"),
        "uk": ("2 записи", "2 записи, 30 днів"),
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
