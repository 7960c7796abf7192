"""The waiting list's two figures (the time to pay for an offer, what was filled in 30 days)
stand side by side under the heading, the same height (issue 17, fifth tour: beside the
heading they sat at different heights and squeezed it)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_figures_are_one_row_of_equal_cards(staff_client, org, salon, language):
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = staff_client.get("/waitlist/").content.decode()
    heading = page.index("<h1")
    stats = page.index('data-testid="waitlist-stats"')
    assert heading < stats  # the heading on its own line, the figures under it
    row = page[stats : page.index('<div class="row g-3">', stats)]
    cards = re.findall(
        r'<div class="col-md-6"><div class="card h-100"><div class="card-body py-2" data-testid="(\w+[-\w]*)"',
        row,
    )
    assert cards == ["offer-minutes", "resold"]
