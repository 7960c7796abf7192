"""Issue 17 (speak the administrator's language) in messaging: notifications rendered in
the reader's language, event and provider names instead of keys, the test mode named as
such, seeded names as system names, human object names."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from tests.factories_messaging import make_client, make_console_accounts
from zapys.core.money import Money
from zapys.core.stored_text import StoredText
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
    assert "Баланс клієнта Бондаренко Оксана поповнено онлайн." in page
    assert "(ла)" not in page


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
        ("en", "Test message", "Test mode (not sent: shown in Messages only)"),
        ("uk", "Тестове повідомлення", "Тестовий режим (не надсилається"),
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
        assert str(message) == "SMS → +380501234567"
        assert str(MessagingSettings(organization=org)) == "Messaging settings"


# --- settings ---------------------------------------------------------------------------


def test_a_new_sms_account_starts_with_a_real_provider(org, owner, staff_client):
    _in(owner, "en")
    page = _page(staff_client, "messaging:account_new")
    assert 'value="turbosms" selected' in page
    assert 'value="console" selected' not in page
    assert "Test mode (not sent: shown in Messages only)" in page


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


def test_a_template_cell_without_a_default_says_add(org, owner, staff_client):
    _in(owner, "en")
    page = _page(staff_client, "messaging:templates")
    assert 'data-testid="add-template"' in page
    assert "No default text: not sent on this channel until you write one" in page
    assert '<i class="bi bi-plus"></i> Add' in page
    _in(owner, "uk")
    page = _page(staff_client, "messaging:templates")
    assert '<i class="bi bi-plus"></i> Додати' in page
