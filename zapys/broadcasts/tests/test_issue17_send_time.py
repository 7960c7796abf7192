"""The form's time field is «Час надсилання»: «Надіслати о 05.12.2026 00:42» put «о»
(said of a time) before a date (issue 17)."""

from __future__ import annotations

from tests.pages import staff_page


def test_the_send_time_is_a_noun_label(staff_client, owner):
    uk = staff_page(staff_client, owner, "uk", "broadcasts:new")
    assert "Час надсилання" in uk and "Надіслати о" not in uk
    assert "Send at" in staff_page(staff_client, owner, "en", "broadcasts:new")
