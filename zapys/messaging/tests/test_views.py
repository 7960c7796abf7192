"""Staff pages: outbox, client tab, settings, template editor, notifications."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_staff
from tests.factories_messaging import make_client, make_console_accounts, make_transport_account
from zapys.core.crypto import decrypt_json
from zapys.core.tenancy import org_scope
from zapys.messaging.dashboard import widgets
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import (
    ClientMessenger,
    EventSetting,
    Message,
    MessageTemplate,
    StaffNotification,
    TransportAccount,
)
from zapys.messaging.selectors import messages_for
from zapys.messaging.services import message_send, staff_notify

pytestmark = pytest.mark.django_db


def _queue(org, actor, client, key):
    return message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=client,
        idempotency_key=key,
    )


def test_outbox_lists_messages_with_constant_queries(
    org, actor, staff_client, django_assert_max_num_queries
):
    make_console_accounts(org)
    for i in range(3):
        _queue(org, actor, make_client(org, name=f"Client {i}", phone=f"+38050000000{i}"), f"k{i}")
    url = reverse("messaging:outbox")
    staff_client.get(url)  # warm caches (session, translations)
    with django_assert_max_num_queries(14) as ctx:
        response = staff_client.get(url)
    assert response.status_code == 200
    few = len(ctx.captured_queries)
    for i in range(3, 13):
        _queue(org, actor, make_client(org, name=f"Client {i}", phone=f"+3805000001{i}"), f"k{i}")
    with django_assert_max_num_queries(few):
        response = staff_client.get(url)
    assert response.content.decode().count('data-testid="message-row"') == 13
    assert "це тестове повідомлення. Відправник: Salon A" in response.content.decode()
    response = staff_client.get(url, {"status": "failed"})
    assert 'data-testid="message-row"' not in response.content.decode()


def test_outbox_is_for_managers(org, client):
    specialist = make_staff(org, "specialist")
    client.force_login(specialist)
    assert client.get(reverse("messaging:outbox")).status_code == 403


def test_message_detail_and_retry(org, actor, staff_client):
    make_console_accounts(org)
    message = _queue(org, actor, make_client(org), "k")
    Message.objects.filter(pk=message.pk).update(status="failed", last_error="boom")
    response = staff_client.get(reverse("messaging:message", args=[message.pk]))
    assert "boom" in response.content.decode()
    staff_client.post(reverse("messaging:message_retry", args=[message.pk]))
    message.refresh_from_db()
    assert message.status in ("queued", "delivered")


def test_client_tab_send_and_link(org, actor, staff_client, django_capture_on_commit_callbacks):
    make_console_accounts(org)
    client = make_client(org)
    url = reverse("messaging:client_messages", kwargs={"client_id": client.pk})
    response = staff_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Цьому клієнту ще не надсилали повідомлень" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("messaging:client_message_send", kwargs={"client_id": client.pk}),
            {"text": "Ваш абонемент закінчується"},
        )
    assert "Ваш абонемент закінчується" in response.content.decode()
    assert Message.objects.get().status == "delivered"
    response = staff_client.post(
        reverse("messaging:client_message_send", kwargs={"client_id": client.pk}),
        {"text": "x", "channel": "email"},
    )
    assert "Жоден канал не досягає цього клієнта" in response.content.decode()
    staff_client.post(
        reverse("messaging:client_messenger_link", kwargs={"client_id": client.pk}),
        {"channel": "telegram", "external_id": "321"},
    )
    assert ClientMessenger.objects.get().external_id == "321"


def test_client_tab_of_a_foreign_client_is_404(org, other_org, staff_client):

    with org_scope(other_org):
        foreign = make_client(other_org)
    url = reverse("messaging:client_messages", kwargs={"client_id": foreign.pk})
    assert staff_client.get(url, headers={"HX-Request": "true"}).status_code == 404


def test_settings_account_secrets_are_encrypted_and_masked(org, staff_client):
    response = staff_client.post(
        reverse("messaging:account_new"),
        {
            "channel": "sms",
            "code": "turbosms",
            "name": "TurboSMS",
            "priority": 1,
            "is_active": "on",
            "cred_token": "secret-token-123456",
            "cred_sender": "Salon",
        },
    )
    assert response.status_code == 302, response.content.decode()
    account = TransportAccount.objects.get()
    assert "secret-token" not in account.credentials_encrypted
    assert decrypt_json(account.credentials_encrypted)["token"] == "secret-token-123456"
    page = staff_client.get(reverse("messaging:settings")).content.decode()
    assert "secret-token-123456" not in page and "3456" in page
    edit = staff_client.get(reverse("messaging:account_edit", args=[account.pk])).content.decode()
    assert "secret-token-123456" not in edit
    # Editing without retyping the secret keeps it.
    staff_client.post(
        reverse("messaging:account_edit", args=[account.pk]),
        {"channel": "sms", "code": "turbosms", "priority": 2, "cred_sender": "Salon2"},
    )
    account.refresh_from_db()
    assert decrypt_json(account.credentials_encrypted) == {
        "token": "secret-token-123456",
        "sender": "Salon2",
    }
    assert not account.is_active and account.priority == 2


def test_settings_account_validation(org, staff_client):
    response = staff_client.post(
        reverse("messaging:account_new"),
        {"channel": "sms", "code": "turbosms", "priority": 1, "cred_sender": "Salon"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["cred_token"]
    response = staff_client.post(
        reverse("messaging:account_new"), {"channel": "sms", "code": "telegram", "priority": 1}
    )
    assert list(response.context["form"].errors) == ["code"]
    assert TransportAccount.objects.count() == 0


def test_settings_is_for_the_owner(org, client):
    client.force_login(make_staff(org, "administrator"))
    assert client.get(reverse("messaging:settings")).status_code == 403


def test_channel_order_saved_from_settings(org, staff_client):
    make_console_accounts(org)  # only connected channels can be put in the order
    page = staff_client.get(reverse("messaging:settings"))
    assert page.status_code == 200
    staff_client.post(
        reverse("messaging:channel_order"),
        {
            "event": TEST_MESSAGE,
            f"order-{TEST_MESSAGE}-first": "email",
            f"order-{TEST_MESSAGE}-second": "sms",
            f"order-{TEST_MESSAGE}-is_enabled": "on",
        },
    )
    setting = EventSetting.objects.get(event=TEST_MESSAGE)
    assert setting.channel_list == ["email", "sms"] and setting.is_enabled
    staff_client.post(
        reverse("messaging:channel_order"),
        {"event": "", "order-default-first": "sms", "order-default-is_enabled": "on"},
    )
    assert EventSetting.objects.get(event="").channel_list == ["sms"]


def test_template_editor(org, staff_client):
    assert staff_client.get(reverse("messaging:templates")).status_code == 200
    url = reverse("messaging:template_edit", args=[TEST_MESSAGE, "sms"])
    page = staff_client.get(url).content.decode()
    assert 'data-variable="client.first_name"' in page
    assert 'data-testid="sms-info"' in page
    response = staff_client.post(
        url, {"text": "Вітаємо, {client.first_name}!", "is_enabled": "on", "action": "save"}
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.get().text == "Вітаємо, {client.first_name}!"
    response = staff_client.post(url, {"text": "{client.phone}", "action": "save"})
    assert "Невідомі змінні" in response.content.decode()
    staff_client.post(url, {"action": "reset"})
    assert MessageTemplate.objects.count() == 0
    assert (
        staff_client.get(reverse("messaging:template_edit", args=["nope", "sms"])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [("Hello", "GSM-7", "1"), ("Привіт", "UCS-2", "1"), ("Привіт" * 12, "UCS-2", "2")],
)
def test_sms_info_endpoint(org, staff_client, text, encoding, parts):
    response = staff_client.post(reverse("messaging:sms_info"), {"text": text})
    html = response.content.decode()
    assert f'data-encoding="{encoding}"' in html and f'data-parts="{parts}"' in html
    # The encoding's code is for the page's script only; the badge says what it means.
    assert f">{encoding}<" not in html
    assert ("Лише латиниця" if encoding == "GSM-7" else "Кирилиця або інші літери") in html


def test_notifications_page_bell_and_open(org, owner, staff_client):

    notification = staff_notify(organization=org, title="New booking", url="/messages/")
    staff_notify(organization=org, title="Evil", url="https://evil.example/")
    page = staff_client.get(reverse("messaging:notifications")).content.decode()
    assert "New booking" in page
    request = RequestFactory().get("/")
    request.user = owner
    bell = Template('{% include "messaging/_notifications_bell.html" %}').render(
        Context({"request": request})
    )
    assert 'data-testid="unread-count">2<' in bell
    response = staff_client.post(reverse("messaging:notification_open", args=[notification.pk]))
    assert response["Location"] == "/messages/"
    evil = StaffNotification.objects.get(title="Evil")
    response = staff_client.post(reverse("messaging:notification_open", args=[evil.pk]))
    assert response["Location"] == reverse("messaging:notifications")
    assert StaffNotification.objects.filter(read_at__isnull=True).count() == 0


def test_related_messages_include(org, actor, owner):

    make_transport_account(org, "sms")
    message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=make_client(org),
        related=owner,
        idempotency_key="rel",
    )
    html = render_to_string(
        "messaging/_related_messages.html", {"messages_list": messages_for(owner)}
    )
    assert "+380 50 123 45 67" in html  # the phone as people write it


def test_dashboard_cards(org, actor, owner, staff_client):

    make_console_accounts(org)
    message = _queue(org, actor, make_client(org), "d1")
    Message.objects.filter(pk=message.pk).update(status="failed")
    staff_notify(organization=org, title="Hello")
    request = type("R", (), {"user": owner})()
    cards = widgets(request)
    assert [c["value"] for c in cards] == [1, 1]
    assert staff_client.get(reverse("core:dashboard")).status_code == 200
