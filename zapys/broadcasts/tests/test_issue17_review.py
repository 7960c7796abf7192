"""Issue 17 review: the new-broadcast form offers its variables by name (buttons that insert
them), never as "{client.first_name}" in its help; a broadcast the test mode took whole
shows a grey bar that says nothing was sent, not a blue "Done 100%"."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils.html import escape

from zapys.broadcasts.selectors import broadcast_progress

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "first", "full"),
    [("en", "Client's first name", "Client's full name"), ("uk", "Ім'я клієнта", "Повне ім'я")],
)
def test_the_form_offers_the_variables_by_name(org, language, first, full, staff_page, in_language):
    in_language(language)
    page = staff_page("broadcasts:new")
    chips = page.split('data-testid="variables"')[1].split("</div>")[0]
    assert escape(first) in chips and escape(full) in chips
    assert 'data-variable="client.first_name"' in chips and 'data-variable-fields="id_text"' in page
    # No placeholder is shown as text anywhere on the page (only in the buttons' attributes).
    shown = re.sub(r"<[^>]+>", " ", page.split("<main")[-1])
    assert "{client" not in shown and "{organization" not in shown
    assert "You can use" not in page and "Можна вставити" not in page


def _bar(page: str) -> str:
    return page.split('id="broadcast-progress"')[1].split('data-testid="progress-bar"')[0]


@pytest.mark.parametrize(
    ("language", "nothing", "done"),
    [
        ("en", "Test mode: nothing was sent; the 3 messages are only shown in Messages", "Done"),
        (
            "uk",
            "Тестовий режим: нічого не надіслано, 3 повідомлення лише показано в «Повідомленнях»",
            "Завершено",
        ),
    ],
)
def test_a_test_mode_broadcast_shows_a_grey_bar_that_says_nothing_was_sent(
    org, language, nothing, done, sent_broadcast, staff_page, in_language
):
    broadcast = sent_broadcast()
    assert broadcast_progress(broadcast).only_test_mode
    in_language(language)
    page = staff_page("broadcasts:detail", broadcast.pk)
    bar = _bar(page)
    assert nothing in unescape(bar) and "bg-secondary" in bar
    assert f">{done}<" not in bar and "100%</span>" not in bar


def test_a_real_broadcast_keeps_its_blue_done_bar(org, sent_broadcast, staff_page, in_language):
    broadcast = sent_broadcast(real=True)
    assert not broadcast_progress(broadcast).only_test_mode
    in_language("en")
    bar = _bar(staff_page("broadcasts:detail", broadcast.pk))
    assert ">Done<" in bar and "100%</span>" in bar
    assert "bg-secondary" not in bar and "nothing was sent" not in bar


@pytest.mark.parametrize(
    ("language", "nothing", "done"),
    [
        ("en", "Test mode: nothing was sent", "Done"),
        ("uk", "Тестовий режим: нічого не надіслано", "Завершено"),
    ],
)
def test_the_list_says_a_test_mode_broadcast_sent_nothing(
    org, language, nothing, done, sent_broadcast, staff_page, in_language
):
    """Fifth tour: the list said «Завершено» for a broadcast the test mode took whole, as if
    it had gone out; its dates read «4 грудня 2026, 19:30», not «04.12.2026 19:30»."""
    broadcast = sent_broadcast()
    in_language(language)
    listing = staff_page("broadcasts:list")
    status = listing.split('data-testid="broadcast-status">', 1)[1].split("</td>", 1)[0]
    assert nothing in status and done not in status
    assert not re.search(r"\d\d\.\d\d\.\d{4}", listing)
    assert str(broadcast.send_at.year) in listing
