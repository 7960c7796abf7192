"""Issue 17 (speak the administrator's language) in messaging: notifications rendered in
the reader's language, event and provider names instead of keys, the test mode named as
such, seeded names as system names, human object names."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_noop

from tests.factories_messaging import make_client, make_console_accounts
from zapys.core.money import Money
from zapys.core.stored_text import StoredText
from zapys.messaging import events
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import (
    Message,
    MessagingSettings,
    StaffNotification,
    TransportAccount,
)
from zapys.messaging.providers import DEMO_ACCOUNT_NAME
from zapys.messaging.services import message_send, staff_notify

pytestmark = pytest.mark.django_db


def _in(owner, language):
    owner.language = language
    owner.save(update_fields=["language"])


def _page(staff_client, name, *args):
    response = staff_client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


# --- notifications in the reader's language --------------------------------------------


def _top_up_notice(org):
    with translation.override("uk"):  # written by a Ukrainian payment callback
        return staff_notify(
            organization=org,
            title=StoredText(
                gettext_noop("Top-up received: %(amount)s"), amount=Money(50000, "UAH")
            ),
            body=StoredText(
                gettext_noop("%(client)s topped up the balance online."), client="Бондаренко Оксана"
            ),
            level="success",
        )


def test_a_notification_is_shown_in_the_readers_language(org, owner, staff_client):
    notice = _top_up_notice(org)
    # Stored: the msgid and its parameters (money as kopecks), plus the writer's text.
    assert notice.title_text == {
        "msgid": "Top-up received: %(amount)s",
        "params": {"amount": {"money": 50000, "currency": "UAH"}},
    }
    assert notice.title == "Отримано поповнення: 500,00\u00a0грн"
    _in(owner, "en")
    page = _page(staff_client, "messaging:notifications")
    assert "Top-up received: UAH\u00a0500.00" in page or "Top-up received: UAH 500.00" in page
    assert "Бондаренко Оксана topped up the balance online." in page
    assert "Отримано поповнення" not in page
    _in(owner, "uk")
    page = _page(staff_client, "messaging:notifications")
    assert "Отримано поповнення: 500,00" in page
    assert "Баланс поповнено онлайн: Бондаренко Оксана<" in page
    assert "(ла)" not in page


def test_a_notification_row_has_no_stray_dot_and_its_severity_as_an_icon(org, owner, staff_client):
    _top_up_notice(org)
    for language, level in (("en", "Success"), ("uk", "Успіх")):
        _in(owner, language)
        page = _page(staff_client, "messaging:notifications")
        # The unread mark was a "·" icon before every title; unread rows are coloured.
        assert "bi-dot" not in page
        # The severity: an icon, its word only for screen readers (not "Success · date").
        assert 'data-testid="notification-level"' in page
        assert f'<span class="visually-hidden">{level}: </span>' in page
        assert f"{level} · " not in page


def test_an_old_notification_keeps_its_stored_text(org, owner, staff_client):
    StaffNotification.objects.create(organization=org, title="Платіж не пройшов", body="Старий")
    _in(owner, "en")
    page = _page(staff_client, "messaging:notifications")
    assert "Платіж не пройшов" in page and "Старий" in page


def test_a_broken_stored_text_falls_back_to_the_written_one(org):
    notice = _top_up_notice(org)
    StaffNotification.objects.filter(pk=notice.pk).update(
        title_text={"msgid": "Top-up received: %(amount)s", "params": {"other": 1}}
    )
    notice.refresh_from_db()
    with translation.override("en"):
        assert notice.shown_title == notice.title


def test_the_api_gives_the_readers_language(org, owner, api):
    _top_up_notice(org)
    _in(owner, "en")
    response = api.get("/notifications")
    assert response.status == 200, response.body
    rows = response.body["items"] if isinstance(response.body, dict) else response.body
    assert rows[0]["title"].startswith("Top-up received: UAH")
    assert rows[0]["body"] == "Бондаренко Оксана topped up the balance online."


def test_the_staff_chat_copy_is_in_the_organizations_language(org, actor):
    make_console_accounts(org)
    settings_row, _ = MessagingSettings.objects.get_or_create(organization=org)
    settings_row.staff_telegram_chat_id = "-100500"
    settings_row.save()
    org.language = "en"
    org.save(update_fields=["language"])
    _top_up_notice(org)  # written while Ukrainian was active
    copy = Message.objects.get(recipient="-100500")
    assert "Top-up received: UAH" in copy.text and "Отримано" not in copy.text


def test_a_status_inside_a_sentence_is_a_lower_case_word(org):
    text = StoredText(
        gettext_noop(
            "%(amount)s from %(client)s arrived after the invoice was %(status)s; it is "
            "on the client's balance."
        ),
        amount=Money(100, "UAH"),
        client="A",
        status=StoredText.word("Expired"),
    )
    with translation.override("en"):
        assert "after the invoice was expired;" in text.render()


# --- messages: names, not keys ----------------------------------------------------------


def test_message_page_names_the_event_and_the_provider(org, owner, actor, staff_client):
    make_console_accounts(org)
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=make_client(org),
        idempotency_key="k",
    )
    message.transport_code = "console"
    message.save(update_fields=["transport_code"])
    for language, event, provider in (
        ("en", "Test message", "Test mode (nothing is sent)"),
        ("uk", "Тестове повідомлення", "Тестовий режим (нічого не надсилається)"),
    ):
        _in(owner, language)
        page = _page(staff_client, "messaging:message", message.pk)
        assert event in page and provider in page
        assert "messaging.test" not in page and ">console<" not in page
    outbox = _page(staff_client, "messaging:outbox")
    assert "Тестовий режим: не надіслано" in outbox and ">console<" not in outbox
    assert "Пошук:" not in outbox and "Статус:" not in outbox
    _in(owner, "en")
    outbox = _page(staff_client, "messaging:outbox")
    assert "Test mode: not sent" in outbox
    assert "Search:" not in outbox and "Channel:" not in outbox


def test_message_name_has_no_status_frozen_in_it(org, actor):
    make_console_accounts(org)
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=make_client(org),
        idempotency_key="k",
    )
    with translation.override("en"):
        # the client by name and the phone as people write it (fifth tour: a bare
        # «SMS → +380671300922» in the audit log)
        assert str(message) == f"SMS → {message.client.name}, +380 50 123 45 67"
        assert str(MessagingSettings(organization=org)) == "Messaging settings"


# --- settings ---------------------------------------------------------------------------


def test_a_new_sms_account_starts_with_a_real_provider(org, owner, staff_client):
    _in(owner, "en")
    page = _page(staff_client, "messaging:account_new")
    assert 'value="turbosms" selected' in page
    assert 'value="console" selected' not in page
    # Short enough for the select (the longer label was cut off in it).
    assert "Test mode (nothing is sent)" in page


def test_settings_name_the_demo_account_in_the_page_language(org, owner, staff_client):
    make_console_accounts(org)
    # As demos before issue 17 seeded it.
    TransportAccount.objects.for_org(org).update(name="Console (demo)")
    _in(owner, "uk")
    page = _page(staff_client, "messaging:settings")
    assert "Тестовий режим (демо)" in page and "Console (demo)" not in page
    assert "ID Telegram-чату персоналу" in page
    _in(owner, "en")
    page = _page(staff_client, "messaging:settings")
    assert "Test mode (demo)" in page and "Staff Telegram chat ID" in page
    TransportAccount.objects.for_org(org).update(name="Our gateway")
    assert "Our gateway" in _page(staff_client, "messaging:settings")
    assert DEMO_ACCOUNT_NAME == "Test mode (demo)"


def test_a_template_cell_without_a_default_says_add(org, owner, staff_client, monkeypatch):
    # Every registered event has a text for every channel (a messenger takes the SMS one):
    # a kind with no default at all shows «+ Add».
    monkeypatch.setitem(
        events._REGISTRY,
        "tests.no_text",
        events.EventType(code="tests.no_text", label="No text", variables=(), defaults={}),
    )
    _in(owner, "en")
    page = _page(staff_client, "messaging:templates")
    assert 'data-testid="add-template"' in page
    assert "No default text: not sent on this channel until you write one" in page
    assert '<i class="bi bi-plus"></i> Add' in page
    _in(owner, "uk")
    page = _page(staff_client, "messaging:templates")
    assert '<i class="bi bi-plus"></i> Додати' in page


def _console_message(org, actor):
    make_console_accounts(org)
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=make_client(org),
        idempotency_key="k",
    )
    Message.objects.filter(pk=message.pk).update(
        transport_code="console", status="delivered", provider_message_id="console-abc123"
    )
    message.refresh_from_db()
    return message


def test_a_test_mode_message_reads_not_sent_rather_than_delivered(org, owner, actor, staff_client):
    message = _console_message(org, actor)
    for language, not_sent, delivered in (
        ("en", "Test mode: not sent", "Delivered"),
        ("uk", "Тестовий режим: не надіслано", "Доставлено"),
    ):
        _in(owner, language)
        for page in (
            _page(staff_client, "messaging:outbox"),
            _page(staff_client, "messaging:message", message.pk),
        ):
            assert page.count('data-testid="message-status"') == 1
            assert not_sent in page
            assert f'data-testid="message-status">{delivered}<' not in page
        detail = _page(staff_client, "messaging:message", message.pk)
        assert "console-abc123" not in detail  # the test mode's own ID means nothing
    # A real provider's message keeps its status and its ID.
    Message.objects.filter(pk=message.pk).update(transport_code="turbosms")
    detail = _page(staff_client, "messaging:message", message.pk)
    assert 'data-testid="message-status">Доставлено<' in detail and "console-abc123" in detail
    assert "Тестовий режим: не надіслано" not in detail


def test_the_outbox_breaks_long_links_so_the_status_stays_on_screen(
    org, owner, actor, staff_client
):
    _console_message(org, actor)
    page = _page(staff_client, "messaging:outbox")
    assert "overflow-wrap: anywhere" in page


def test_a_message_page_says_what_the_message_is_about(org, owner, actor, staff_client):
    message = _console_message(org, actor)
    # A reminder staff typed on an invoice is a custom message related to the invoice.
    Message.objects.filter(pk=message.pk).update(related_type="invoices.invoice", related_id="999")
    for language, regarding in (("en", "Invoice #999"), ("uk", "Рахунок №999")):
        _in(owner, language)
        page = _page(staff_client, "messaging:message", message.pk)
        assert f'data-testid="message-regarding">{regarding}<' in page
    Message.objects.filter(pk=message.pk).update(related_type="", related_id="")
    assert 'data-testid="message-regarding"' not in _page(
        staff_client, "messaging:message", message.pk
    )


def test_settings_pages_name_sending_accounts_in_plain_words(org, owner, staff_client):
    make_console_accounts(org)
    for language, words, heading, templates in (
        ("en", "Sending accounts", "Messages", "Message templates"),
        ("uk", "Облікові записи для надсилання", "Повідомлення", "Шаблони повідомлень"),
    ):
        _in(owner, language)
        page = _page(staff_client, "messaging:settings")
        assert words in page and "Акаунти відправлення" not in page
        assert "Transport" not in page and "transport account" not in page
        # Each settings page is headed by its section's name (all were «Налаштування»).
        assert f">{heading}</h1>" in page
        assert f">{templates}</h1>" in _page(staff_client, "messaging:templates")
    assert "Новий обліковий запис для надсилання" in _page(staff_client, "messaging:account_new")


def test_the_template_editor_tells_the_name_variables_apart(org, owner, staff_client):
    for language, first, full in (
        ("en", "Client's first name", "Client's full name"),
        ("uk", "Ім'я клієнта", "Повне ім'я клієнта"),
    ):
        _in(owner, language)
        page = _page(staff_client, "messaging:template_edit", TEST_MESSAGE, "sms")
        assert escape(first) in page and escape(full) in page
        # The encoding in words, not "GSM-7".
        assert ">GSM-7<" not in page and ">UCS-2<" not in page
