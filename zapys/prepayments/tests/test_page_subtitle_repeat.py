"""Tour 6, #19: the payment page's subtitle (the business's kind, «Салон краси») is left out
when the name above it already says it — «Салон краси «Зоряна»» — and so is its English
(«Beauty salon») on the English page; a subtitle that adds something stays."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings

from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type

SUBTITLES = {"page_subtitle": "Салон краси", "page_subtitle_en": "Beauty salon"}


def _header(client, org, branch, language: str) -> str:
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/p/{make_booking(org, branch).token}/")
    assert response.status_code == 200
    html = response.content.decode()
    # the header only: the name and whatever stands under it, up to the visit
    return html[html.index('data-testid="business-name"') : html.index("bi-calendar-event")]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_subtitle_repeating_the_name_is_left_out(client, org, branch, language):
    org.name = "Салон краси «Зоряна»"
    org.save()
    enable_prepayment(org, page_language="uk", **SUBTITLES)
    make_booking_type(org, "fixed", 20_000)
    header = _header(client, org, branch, language)
    assert "Салон краси «Зоряна»" in header
    assert 'data-testid="subtitle"' not in header
    assert "Beauty salon" not in header and len(re.findall("Салон краси", header)) == 1


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_page_name_counts_and_case_does_not(client, org, branch, language):
    enable_prepayment(
        org, page_language="uk", page_business_name="САЛОН КРАСИ Beauty Lab", **SUBTITLES
    )
    make_booking_type(org, "fixed", 20_000)
    assert 'data-testid="subtitle"' not in _header(client, org, branch, language)


@pytest.mark.parametrize(("language", "shown"), [("uk", "Салон краси"), ("en", "Beauty salon")])
def test_a_subtitle_that_adds_something_stays(client, org, branch, language, shown):
    org.name = "Зоряна"
    org.save()
    enable_prepayment(org, page_language="uk", **SUBTITLES)
    make_booking_type(org, "fixed", 20_000)
    header = _header(client, org, branch, language)
    assert f'data-testid="subtitle">{shown}</div>' in header
