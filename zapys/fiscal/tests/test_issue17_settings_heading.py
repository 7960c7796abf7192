"""The cash registers' settings page is headed by its section's name, as every settings page
(all were «Налаштування»: the menu beside it says these are the settings)."""

from __future__ import annotations

import re

import pytest

from tests.pages import staff_page

pytestmark = pytest.mark.django_db


def test_cash_registers_page_is_headed_by_its_section(staff_client, owner):
    uk = staff_page(staff_client, owner, "uk", "fiscal:registers")
    assert re.search(r"<h1[^>]*>Каси ПРРО</h1>", uk)
    en = staff_page(staff_client, owner, "en", "fiscal:registers")
    assert re.search(r"<h1[^>]*>Cash registers \(PRRO\)</h1>", en)
    assert "<title>Cash registers" in en  # the tab's own name stays in the title
