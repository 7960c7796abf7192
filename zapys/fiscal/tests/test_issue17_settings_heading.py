"""Issue 17: the cash registers' settings tab has the heading of every settings tab."""

from __future__ import annotations

import re

import pytest

from tests.pages import staff_page

pytestmark = pytest.mark.django_db


def test_cash_registers_tab_is_headed_settings(staff_client, owner):
    uk = staff_page(staff_client, owner, "uk", "fiscal:registers")
    assert re.search(r"<h1[^>]*>Налаштування</h1>", uk)
    en = staff_page(staff_client, owner, "en", "fiscal:registers")
    assert re.search(r"<h1[^>]*>Settings</h1>", en)
    assert "<title>Cash registers" in en  # the tab's own name stays in the title
