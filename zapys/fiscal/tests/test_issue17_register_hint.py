"""Issue 17: the register form's "Left empty, the stored one is kept." only when a register is
stored (with none there is nothing to keep); the page calls the register «ПРРО»."""

from __future__ import annotations

import pytest

from tests.pages import staff_page
from zapys.fiscal.tests.factories import make_register

pytestmark = pytest.mark.django_db

HINT = "Left empty, the stored one is kept."


def test_the_keep_hint_shows_only_with_a_stored_register(staff_client, owner, org, branch):
    en = staff_page(staff_client, owner, "en", "fiscal:registers")
    assert HINT not in en
    uk = staff_page(staff_client, owner, "uk", "fiscal:registers")
    assert "ПРРО (Checkbox) для кожної філії" in uk and "Програмний РРО" not in uk
    make_register(org, branch, "http://127.0.0.1:9")
    assert HINT in staff_page(staff_client, owner, "en", "fiscal:registers")
