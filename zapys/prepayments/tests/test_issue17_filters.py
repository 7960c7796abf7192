"""The bookings report's filters say "All" when nothing is chosen, like Status (issue 17;
"— choose —" read as if a choice were required)."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize(("language", "all_"), [("uk", "Усі"), ("en", "All")])
def test_every_filter_of_the_bookings_report_offers_all(staff_client, language, all_):
    staff_client.cookies["django_language"] = language
    response = staff_client.get("/prepayments/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("branch", "staff", "status", "booking_type"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        assert select is not None, name
        first = re.search(r'<option value=""[^>]*>([^<]*)</option>', select.group())
        assert first is not None and first.group(1) == all_, name
    assert "— оберіть —" not in html and "— choose —" not in html
