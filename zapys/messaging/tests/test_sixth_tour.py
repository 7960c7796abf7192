"""The sixth tour's findings on the messaging pages:

- #2: the channel order's four lists two by two at 1366 px, numbered (four in a row were
  clipped, «Telegrai»; the browser test measures them);
- #14: the SMS/e-mail account is a «Сервіс надсилання» / "Sending service" («Розсилки» are
  broadcasts);
- #20: a test-mode message shows no attempts and no next attempt; dates say «5 грудня о
  09:33», no seconds, in the list as in the page's title;
- #28: the prepayment link's row says Settings → Prepayment's channel wins over the order;
- #29: a row's default order names only the channels the message has a text for, and the
  templates page says a messenger without its own default sends the SMS text (the route
  does), not «+ Додати».
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import SYSTEM
from tests.factories_messaging import (
    link_messenger,
    make_client,
    make_console_accounts,
    make_transport_account,
)
from tests.pages import staff_page
from zapys.core.dates import moment_in_words
from zapys.messaging.events import TEST_MESSAGE, get_event
from zapys.messaging.models import Message
from zapys.messaging.routing import choose_route
from zapys.messaging.services import event_setting_save, message_send, template_save

pytestmark = pytest.mark.django_db

CABINET_LINK = "cabinet.link"  # defaults for SMS and e-mail only
PREPAYMENT_LINK = "prepayments.booking_link"


def _main(page: str) -> str:
    return unescape(page.split("<main", 1)[1])


def _row(page: str, code: str) -> str:
    return page.split(f'data-testid="order-{code}"', 1)[1].split('class="row g-2', 1)[0]


def _send(org, *, recipient: str = "+380671300922", key: str = "k1") -> Message:
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=SYSTEM,
        recipient=recipient,
        channel="sms",
        idempotency_key=key,
    )
    assert message is not None
    return message


# --- #2 ------------------------------------------------------------------------------------


def test_the_four_lists_are_numbered_two_by_two_below_1400_px(org, owner, staff_client):
    make_console_accounts(org)
    row = _row(staff_page(staff_client, owner, "uk", "messaging:settings"), "default")
    places = re.findall(r'<div class="col-6 col-xxl-3[^"]*"><span[^>]*>(\d)\.</span><select', row)
    assert places == ["1", "2", "3", "4"]
    assert 'class="d-flex gap-1' not in row  # the old row of four that clipped «Telegram»


# --- #14 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"), [("uk", "Сервіс надсилання"), ("en", "Sending service")]
)
def test_the_account_is_a_sending_service_everywhere(org, owner, staff_client, language, words):
    account = make_console_accounts(org)[0]
    settings_page = _main(staff_page(staff_client, owner, language, "messaging:settings"))
    form = _main(staff_page(staff_client, owner, language, "messaging:account_edit", account.pk))
    message = _main(staff_page(staff_client, owner, language, "messaging:message", _send(org).pk))
    for page in (settings_page, form, message):
        assert words in page
        assert "розсилки" not in page and "Сервіс розсилки" not in page
    assert f">{words}</th>" in settings_page
    assert f'<label class="form-label" for="id_code">{words} <span' in form


# --- #20 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "hidden"),
    [("uk", ("Спроби", "Наступна спроба", "Надіслано")), ("en", ("Attempts", "Next attempt"))],
)
def test_a_test_mode_message_shows_no_attempts_and_no_seconds(
    org, owner, staff_client, language, hidden
):
    make_console_accounts(org)
    message = _send(org)
    assert message.status == "queued" and message.next_attempt_at is not None
    page = _main(staff_page(staff_client, owner, language, "messaging:message", message.pk))
    for words in hidden:
        assert f">{words}</dt>" not in page
    assert 'data-testid="message-next-attempt"' not in page
    with translation.override(language):
        when = moment_in_words(timezone.localtime(message.created_at))
    assert f'data-testid="message-created">{when}</dd>' in page
    assert when in page.split('data-testid="message-title">', 1)[1].split("</h1>", 1)[0]
    assert not re.search(r"\d\d:\d\d:\d\d", page)  # no seconds anywhere
    assert not re.search(r"\d\d\.\d\d\.\d{4}", page)
    # The list: the same moment, and no count of attempts, before and after the worker ran
    # (the reminders said 0 and the other test-mode messages 1).
    for attempts in (0, 1):
        Message.objects.filter(pk=message.pk).update(attempts=attempts)
        listing = _main(staff_page(staff_client, owner, language, "messaging:outbox"))
        assert f">{when}</a></td>" in listing
        assert re.search(r'data-testid="message-attempts">—</td>', listing)


@pytest.mark.parametrize(
    ("language", "first", "next_"),
    [("uk", "Буде надіслано", "Наступна спроба"), ("en", "To be sent", "Next attempt")],
)
def test_a_real_message_says_when_it_goes_and_its_attempts(
    org, owner, staff_client, language, first, next_
):
    make_transport_account(org, "sms", "turbosms", {"token": "t", "sender": "Salon"})
    message = _send(org)
    page = _main(staff_page(staff_client, owner, language, "messaging:message", message.pk))
    with translation.override(language):
        when = moment_in_words(timezone.localtime(message.next_attempt_at))
    assert f">{first}</dt>" in page and f'data-testid="message-next-attempt">{when}</dd>' in page
    assert 'data-testid="message-attempts">0</dd>' in page
    later = message.next_attempt_at + timedelta(minutes=5)
    Message.objects.filter(pk=message.pk).update(attempts=1, next_attempt_at=later)
    page = _main(staff_page(staff_client, owner, language, "messaging:message", message.pk))
    assert f">{next_}</dt>" in page and 'data-testid="message-attempts">1</dd>' in page
    assert not re.search(r"\d\d:\d\d:\d\d", page)
    # A final status has no next attempt.
    Message.objects.filter(pk=message.pk).update(status="failed", last_error="refused")
    page = _main(staff_page(staff_client, owner, language, "messaging:message", message.pk))
    assert 'data-testid="message-next-attempt"' not in page
    assert 'data-testid="message-attempts">1</dd>' in page
    listing = _main(staff_page(staff_client, owner, language, "messaging:outbox"))
    assert re.search(r'data-testid="message-attempts">1</td>', listing)


# --- #28 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", "вибрано канал «Автоматично»"),
        ("en", "is “Automatic”: a channel chosen there"),
    ],
)
def test_the_prepayment_row_says_its_settings_channel_wins(
    org, owner, staff_client, language, words
):
    make_console_accounts(org)
    page = _main(staff_page(staff_client, owner, language, "messaging:settings"))
    row = _row(page, PREPAYMENT_LINK)
    note = row.split('data-testid="channel-set-elsewhere">', 1)[1].split("</div>", 1)[0]
    assert words in note
    assert f'<a href="{reverse("prepayments:settings")}">' in note
    assert ("Налаштування → Передоплата" if language == "uk" else "Settings → Prepayment") in note
    assert page.count('data-testid="channel-set-elsewhere"') == 1


def test_what_the_note_says_is_what_the_route_does(org, actor):
    """A channel given to the send (the booking's) is the only one tried; none: the order."""
    make_console_accounts(org)
    client = make_client(org, "Коваль Олена", phone="+380671300922", email="o@example.com")
    link_messenger(client)
    event_setting_save(organization=org, event=PREPAYMENT_LINK, channels=["email"], actor=actor)
    event = get_event(PREPAYMENT_LINK)
    by_order = choose_route(
        organization=org, event=event, client=client, recipient=None, channel=""
    )
    chosen = choose_route(
        organization=org, event=event, client=client, recipient=None, channel="sms"
    )
    assert by_order is not None and by_order.channel == "email"
    assert chosen is not None and chosen.channel == "sms"


# --- #29 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "skipped"),
    [("uk", "Немає тексту, тому пропускається: Telegram."), ("en", "No text for it, so skipped")],
)
def test_a_row_names_only_the_channels_with_a_text(
    org, owner, actor, staff_client, language, skipped
):
    make_console_accounts(org)
    page = _main(staff_page(staff_client, owner, language, "messaging:settings"))
    assert "(Telegram → Viber → SMS → E-mail)" in _row(page, TEST_MESSAGE)
    template_save(
        organization=org,
        event=TEST_MESSAGE,
        channel="telegram",
        text="{client.first_name}",
        is_enabled=False,
        actor=actor,
    )
    page = _main(staff_page(staff_client, owner, language, "messaging:settings"))
    assert "(Viber → SMS → E-mail)" in _row(page, TEST_MESSAGE)
    assert "(Telegram → Viber → SMS → E-mail)" in _row(page, CABINET_LINK)
    assert 'data-testid="order-without-text"' not in page
    # Its own order naming Telegram: the row says Telegram is skipped.
    event_setting_save(
        organization=org, event=TEST_MESSAGE, channels=["telegram", "sms"], actor=actor
    )
    page = _main(staff_page(staff_client, owner, language, "messaging:settings"))
    row = _row(page, TEST_MESSAGE)
    assert skipped in row and "Telegram" in row.split('data-testid="order-without-text"')[1]
    assert page.count('data-testid="order-without-text"') == 1


@pytest.mark.parametrize(("language", "words"), [("uk", "Текст SMS"), ("en", "SMS text")])
def test_a_messenger_without_its_own_default_says_it_sends_the_sms_text(
    org, owner, staff_client, language, words
):
    page = _main(staff_page(staff_client, owner, language, "messaging:templates"))
    cell = re.search(
        rf'<a [^>]*data-testid="edit-{CABINET_LINK}-telegram"[^>]*>(.*?)</a>', page, re.S
    )
    assert cell and words in cell.group(1) and "bi-plus" not in cell.group(1)
    assert 'data-state="borrowed"' in cell.group(0)
    own = re.search(rf'<a [^>]*data-testid="edit-{CABINET_LINK}-sms"[^>]*>', page)
    assert own and 'data-state="default"' in own.group(0)


def test_and_the_route_does_send_it_by_telegram(org, actor):
    make_console_accounts(org)
    client = make_client(org, "Коваль Олена", phone="+380671300922")
    link_messenger(client)
    message = message_send(
        organization=org,
        event=CABINET_LINK,
        variables={"cabinet_url": "https://example.com/c/x"},
        actor=actor,
        client=client,
        idempotency_key="cab",
    )
    assert message is not None and message.channel == "telegram"
    assert message.text.startswith("Олено")  # the SMS default, by Telegram


# --- queries -------------------------------------------------------------------------------


def _settings_queries(staff_client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = staff_client.get(reverse("messaging:settings"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_settings_page_queries_do_not_grow_with_templates_and_orders(
    org, owner, actor, staff_client
):
    make_console_accounts(org)
    staff_page(staff_client, owner, "uk", "messaging:settings")  # warm the session's caches
    few = _settings_queries(staff_client)
    for event in (TEST_MESSAGE, CABINET_LINK, PREPAYMENT_LINK):
        event_setting_save(organization=org, event=event, channels=["telegram", "sms"], actor=actor)
        for channel in ("telegram", "viber"):
            template_save(
                organization=org,
                event=event,
                channel=channel,
                text="{client.first_name}",
                is_enabled=False,
                actor=actor,
            )
    make_transport_account(org, "sms", "turbosms", {"token": "t", "sender": "Salon"}, priority=1)
    assert _settings_queries(staff_client) == few
