"""Messages to linked chats (M4) when Telegram refuses them: a blocked bot (403) drops the
link and the same text goes by SMS; 429 with `retry_after` waits that long and loses
nothing. And staff notifications reach a staff member's own Telegram (M6)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import make_staff
from tests.factories_clients import make_client
from tests.factories_messaging import make_transport_account
from zapys.accounts.models import User
from zapys.bots.models import StaffChat
from zapys.core.audit import Actor, AuditLog
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import ClientMessenger, Message
from zapys.messaging.services import client_messenger_link, message_send, staff_notify
from zapys.messaging.transports import TelegramTransport

PHONE = "+380501234567"


def _linked_client(org):
    olena = make_client(org, "Olena", phone=PHONE)
    client_messenger_link(
        client=olena, channel="telegram", external_id="555", actor=Actor.system("tests")
    )
    return olena


def _send(org, client, key="k1") -> Message:
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=Actor.system("tests"),
        client=client,
        idempotency_key=key,
    )
    assert message is not None
    return message


def test_a_blocked_bot_unlinks_the_chat_and_sms_carries_the_message(
    org, telegram_bot, fake_telegram
):
    sms = make_transport_account(org, "sms", "console")
    olena = _linked_client(org)
    message = _send(org, olena)
    assert message.channel == "telegram" and message.recipient == "555"
    fake_telegram.blocked_chats.add("555")
    now = timezone.now()
    stats = outbox.deliver_due(now=now)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "403" in message.last_error
    assert stats.failed == 1
    assert not ClientMessenger.objects.filter(client=olena).exists()
    assert AuditLog.objects.filter(action="client_messenger.unlink").count() == 1
    fallback = Message.objects.get(idempotency_key="k1:fallback")
    assert (fallback.channel, fallback.recipient, fallback.transport_account_id) == (
        "sms",
        PHONE,
        sms.pk,
    )
    assert fallback.text == message.text
    outbox.deliver_due(now=now + timedelta(seconds=1))
    fallback.refresh_from_db()
    assert fallback.status in (Message.Status.SENT, Message.Status.DELIVERED)
    # The next message goes by SMS straight away, and the fallback is made once.
    assert _send(org, olena, "k2").channel == "sms"
    outbox.deliver_due(now=now + timedelta(seconds=2))
    assert Message.objects.filter(idempotency_key__endswith=":fallback").count() == 1


def test_telegram_429_waits_retry_after_and_loses_nothing(org, telegram_bot, fake_telegram):
    olena = _linked_client(org)
    message = _send(org, olena)
    fake_telegram.retry_after = 7200  # longer than the outbox's own first backoff
    fake_telegram.fail("rate_limited", times=1)
    now = timezone.now()
    outbox.deliver_due(now=now)
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    waited = message.next_attempt_at - now  # type: ignore[operator]
    assert timedelta(seconds=7200) <= waited < timedelta(seconds=7205)
    assert ClientMessenger.objects.filter(client=olena).exists()  # a 429 is not a block
    outbox.deliver_due(now=now + timedelta(seconds=3600))
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED  # still waiting as told
    outbox.deliver_due(now=now + timedelta(seconds=7201))
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [m["chat_id"] for m in fake_telegram.sent] == ["555"]


def test_transport_errors_say_whether_the_recipient_is_gone(fake_telegram):
    transport = TelegramTransport({"token": fake_telegram.token}, base_url=fake_telegram.base_url)
    fake_telegram.blocked_chats.add("1")
    fake_telegram.unknown_chats.add("2")
    for chat, gone, permanent in (("1", True, True), ("2", False, True)):
        try:
            transport.send_message(chat, "hi")
        except Exception as exc:  # TransportError
            assert (exc.recipient_gone, exc.permanent) == (gone, permanent)  # type: ignore[attr-defined]
        else:
            raise AssertionError("sent to a blocked or unknown chat")


def test_staff_notifications_reach_their_own_telegram(
    org, owner, telegram_bot, fake_telegram, django_capture_on_commit_callbacks
):
    colleague = make_staff(org, User.Role.ADMINISTRATOR, username="admin-a")
    StaffChat.objects.create(organization=org, user=owner, channel="telegram", chat_id="100")
    StaffChat.objects.create(organization=org, user=colleague, channel="telegram", chat_id="200")
    StaffChat.objects.create(
        organization=org, user=colleague, channel="viber", chat_id="V=", is_active=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        team = staff_notify(organization=org, title="Paid: 100 UAH")
    with django_capture_on_commit_callbacks(execute=True):
        mine = staff_notify(organization=org, title="For the owner", recipient=owner)
    rows = dict(
        Message.objects.filter(event="staff.notification").values_list(
            "idempotency_key", "recipient"
        )
    )
    assert rows == {
        f"staff-notification:{team.pk}:100": "100",
        f"staff-notification:{team.pk}:200": "200",
        f"staff-notification:{mine.pk}:100": "100",
    }
    outbox.deliver_due(now=timezone.now())
    assert sorted(m["chat_id"] for m in fake_telegram.sent) == ["100", "100", "200"]
    assert any("Paid: 100 UAH" in m["text"] for m in fake_telegram.sent)


def test_a_broadcast_to_a_blocked_bot_is_not_sent_by_sms(org, telegram_bot, fake_telegram):
    """A marketing message refused by a blocked bot drops the link but is not re-sent by
    SMS (it costs money and the staff chose the channel); a transactional one still is."""
    from zapys.broadcasts.events import BROADCAST

    make_transport_account(org, "sms", "console")
    olena = _linked_client(org)
    broadcast = Message.objects.create(
        organization=org,
        client=olena,
        recipient="555",
        channel="telegram",
        transport_account=telegram_bot,
        transport_code="telegram",
        event=BROADCAST,
        text="Sale!",
        idempotency_key="broadcast:1:1",
        next_attempt_at=timezone.now(),
    )
    fake_telegram.blocked_chats.add("555")
    stats = outbox.deliver_due(now=timezone.now())
    broadcast.refresh_from_db()
    assert stats.failed == 1 and broadcast.status == Message.Status.FAILED
    assert not ClientMessenger.objects.filter(client=olena).exists()
    assert Message.objects.count() == 1  # no ":fallback" row, no SMS
    assert not Message.objects.filter(channel="sms").exists()


def test_a_staff_chat_that_blocked_the_bot_is_switched_off_on_403(
    org, owner, telegram_bot, fake_telegram, django_capture_on_commit_callbacks
):
    chat = StaffChat.objects.create(organization=org, user=owner, channel="telegram", chat_id="100")
    fake_telegram.blocked_chats.add("100")
    with django_capture_on_commit_callbacks(execute=True):
        staff_notify(organization=org, title="Paid: 100 UAH")
    outbox.deliver_due(now=timezone.now())
    chat.refresh_from_db()
    assert chat.is_active is False
    assert not Message.objects.filter(idempotency_key__endswith=":fallback").exists()
    # The next notification is not queued for that chat at all.
    with django_capture_on_commit_callbacks(execute=True):
        staff_notify(organization=org, title="Second")
    assert Message.objects.filter(event="staff.notification").count() == 1
