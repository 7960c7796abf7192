"""Issue 17 in messaging: a total never counts what the test mode "sent" as sent or delivered
(it reached no one, as the single message's badge says), and a messenger's recipient is
named by whose chat it is, never by its raw chat id."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_staff
from tests.factories_messaging import link_messenger, make_client, make_console_accounts
from zapys.accounts.models import User
from zapys.clients.phones import display_phone
from zapys.core.audit import Actor
from zapys.messaging.events import STAFF_NOTIFICATION, TEST_MESSAGE
from zapys.messaging.models import TEST_MODE_OUTCOME, Message, message_outcome
from zapys.messaging.selectors import StatusCounts, message_list, status_counts
from zapys.messaging.services import message_send_custom

pytestmark = pytest.mark.django_db

CHAT = "900000123"


def _in(owner, language):
    owner.language = language
    owner.save(update_fields=["language"])


def _page(staff_client, name, *args, **query):
    # the client card's tab is fetched by htmx (a plain GET is sent to the card)
    htmx = {"HX-Request": "true"} if name == "messaging:client_messages" else {}
    response = staff_client.get(reverse(name, args=args), query, headers=htmx)
    assert response.status_code == 200
    return response.content.decode()


def _visible(html: str) -> str:
    """The page's text without its tags and attributes (what a person reads)."""
    return re.sub(r"<[^>]+>", " ", html)


def _row(org, n, *, status, transport_code, channel="sms", client=None, recipient=""):
    return Message.objects.create(
        organization=org,
        client=client,
        recipient=recipient or f"+38067000{n:04d}",
        channel=channel,
        transport_code=transport_code,
        event=TEST_MESSAGE,
        text=f"Text {n}",
        idempotency_key=f"row:{n}",
        status=status,
    )


# --- what a total counts -----------------------------------------------------------------


def test_what_the_test_mode_sent_is_its_own_outcome():
    assert message_outcome("delivered", "console") == TEST_MODE_OUTCOME
    assert message_outcome("sent", "console") == TEST_MODE_OUTCOME
    # a failure is a failure, a queued message is waiting, whatever the transport
    assert message_outcome("failed", "console") == "failed"
    assert message_outcome("queued", "console") == "queued"
    # a real transport's status is its status
    assert message_outcome("delivered", "turbosms") == "delivered"
    assert message_outcome("sent", "") == "sent"


def test_status_counts_keep_the_test_mode_apart(org, django_assert_num_queries):
    for n, (status, code) in enumerate(
        [
            ("delivered", "console"),
            ("delivered", "console"),
            ("sent", "console"),
            ("failed", "console"),
            ("queued", "console"),
            ("delivered", "turbosms"),
            ("sent", "telegram"),
            ("failed", "turbosms"),
            ("sending", "turbosms"),
        ]
    ):
        _row(org, n, status=status, transport_code=code)
    with django_assert_num_queries(1):
        counts = status_counts(Message.objects.for_org(org))
    assert counts == StatusCounts(sent=2, delivered=1, test_mode=3, failed=2, waiting=2)


def test_without_the_test_mode_the_counts_are_the_statuses(org):
    for n, status in enumerate(["delivered", "delivered", "sent", "failed"]):
        _row(org, n, status=status, transport_code="turbosms")
    counts = status_counts(Message.objects.for_org(org))
    assert counts == StatusCounts(sent=3, delivered=2, test_mode=0, failed=1, waiting=0)


def test_the_outbox_filter_finds_rows_as_their_badges_read(org, owner, staff_client):
    test = _row(org, 1, status="delivered", transport_code="console")
    real = _row(org, 2, status="delivered", transport_code="turbosms")
    failed = _row(org, 3, status="failed", transport_code="console")

    def shown(**query) -> set[int]:
        page = _page(staff_client, "messaging:outbox", **query)
        return {int(pk) for pk in re.findall(r'data-message-id="(\d+)"', page)}

    assert shown(status="delivered") == {real.pk}  # "Delivered" is what was delivered
    assert shown(status=TEST_MODE_OUTCOME) == {test.pk}
    assert shown(status="failed") == {failed.pk}  # a failure reads "Failed" either way
    assert shown() == {test.pk, real.pk, failed.pk}
    for language, label in (("en", "Test mode: not sent"), ("uk", "Тестовий режим: не надіслано")):
        _in(owner, language)
        page = _page(staff_client, "messaging:outbox")
        assert f'<option value="{TEST_MODE_OUTCOME}">{label}</option>' in page
    # The API filters by the stored status, as documented: nothing changed there.
    assert set(message_list(organization=org, status="delivered")) == {test, real}


# --- a messenger's recipient in words ----------------------------------------------------


def test_a_messenger_recipient_is_named_by_whose_chat_it_is(org):
    olena = make_client(org, "Коваль Олена")
    client_chat = _row(org, 1, status="sent", transport_code="telegram", channel="telegram",
                       client=olena, recipient=CHAT)  # fmt: skip
    staff_chat = _row(org, 2, status="sent", transport_code="telegram", channel="telegram",
                      recipient="-100500")  # fmt: skip
    Message.objects.filter(pk=staff_chat.pk).update(event=STAFF_NOTIFICATION)
    staff_chat.refresh_from_db()
    stranger = _row(org, 3, status="sent", transport_code="viber", channel="viber",
                    recipient="aBc123==")  # fmt: skip
    sms = _row(org, 4, status="sent", transport_code="turbosms", client=olena)
    with translation.override("en"):
        assert client_chat.recipient_shown == "Client's Telegram chat"
        assert staff_chat.recipient_shown == "Staff Telegram chat"
        assert stranger.recipient_shown == "Viber chat not linked to a client"
        assert str(client_chat) == "Telegram → Коваль Олена"
        assert str(staff_chat) == "Telegram → Staff Telegram chat"
    with translation.override("uk"):
        assert client_chat.recipient_shown == "Чат клієнта в Telegram"
        assert staff_chat.recipient_shown == "Чат працівників у Telegram"
        assert stranger.recipient_shown == "Чат у Viber, не пов’язаний із клієнтом"
    # A phone or an e-mail is what a person reads: shown as stored.
    assert sms.recipient_shown == sms.recipient == "+380670000004"
    assert str(sms) == "SMS → Коваль Олена, +380 67 000 00 04"
    # The id stays where code needs it.
    assert client_chat.recipient == CHAT


def test_the_outbox_and_the_message_page_show_no_chat_id(org, owner, staff_client):
    make_console_accounts(org)
    olena = make_client(org, "Коваль Олена", phone="+380501112233")
    link_messenger(olena, "telegram", CHAT)
    message = message_send_custom(
        client=olena, text="Hello", actor=Actor.system("tests"), channel="telegram"
    )
    assert message.recipient == CHAT
    sms = _row(org, 9, status="delivered", transport_code="turbosms", client=olena)
    for language, words in (
        ("en", "Client&#x27;s Telegram chat"),
        ("uk", "Чат клієнта в Telegram"),
    ):
        _in(owner, language)
        outbox = _page(staff_client, "messaging:outbox")
        assert f'data-testid="message-recipient">{words}</div>' in outbox
        assert CHAT not in outbox
        # negative: an SMS row still shows the phone the message went to, as people write it
        assert f'data-testid="message-recipient">{display_phone(sms.recipient)}</div>' in outbox
        detail = _page(staff_client, "messaging:message", message.pk)
        assert words in detail and "Коваль Олена" in detail
        assert CHAT not in _visible(detail)  # only the tooltip has it, for whoever debugs
        assert re.search(rf'title="[^"]*: {CHAT}"', detail)
        sms_page = _page(staff_client, "messaging:message", sms.pk)
        assert f'data-testid="message-recipient">{display_phone(sms.recipient)}<br>' in sms_page
        tab = _page(staff_client, "messaging:client_messages", olena.pk)
        assert words in tab and CHAT not in _visible(tab)


def test_the_clients_messengers_read_connected(org, owner, staff_client, client):
    olena = make_client(org, "Коваль Олена")
    link_messenger(olena, "telegram", CHAT)
    for language, words in (("en", "Telegram (connected)"), ("uk", "Telegram (підключено)")):
        _in(owner, language)
        tab = _page(staff_client, "messaging:client_messages", olena.pk)
        assert re.search(rf'data-testid="client-messenger">.*{re.escape(words)}</span>', tab)
        assert f"<code>{CHAT}</code>" not in tab and CHAT not in _visible(tab)
    # A specialist (who cannot link chats by hand) does not get the id even as a tooltip.
    specialist = make_staff(org, User.Role.SPECIALIST, username="spec")
    client.force_login(specialist)
    tab = _page(client, "messaging:client_messages", olena.pk)
    assert "Telegram" in tab and CHAT not in tab


def test_the_audit_log_names_a_messenger_message_by_its_client(org, owner, staff_client):
    make_console_accounts(org)
    olena = make_client(org, "Коваль Олена", phone="+380501112233")
    link_messenger(olena, "telegram", CHAT)
    message_send_custom(client=olena, text="Hello", actor=Actor.system("tests"), channel="telegram")
    for language in ("en", "uk"):
        _in(owner, language)
        page = _page(staff_client, "core:audit")
        assert "Telegram → Коваль Олена" in page
        assert CHAT not in page
