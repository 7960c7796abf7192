"""message_send: the outbox row, channel choice (M4), templates (M3), idempotency."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories_messaging import (
    link_messenger,
    make_client,
    make_console_accounts,
    make_transport_account,
)
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.messaging.events import TEST_MESSAGE, register_event
from zapys.messaging.models import Message, MessageTemplate
from zapys.messaging.selectors import messages_for
from zapys.messaging.services import (
    Outgoing,
    event_setting_save,
    message_send,
    message_send_custom,
    message_send_many,
    template_save,
)

pytestmark = pytest.mark.django_db

register_event(
    "tests.reminder",
    label="Reminder",
    variables=[("client.first_name", "First name"), ("visit_time", "Time"), ("link", "Link")],
    defaults={
        "sms": "{client.first_name}, see you at {visit_time}",
        "telegram": "TG {client.first_name} {visit_time}",
        "email": "Mail {client.first_name} {visit_time}",
    },
    subject="Visit at {visit_time}",
)


def send(org, actor, client, key="k1", **kwargs):
    return message_send(
        organization=org,
        event=kwargs.pop("event", "tests.reminder"),
        variables=kwargs.pop("variables", {"visit_time": "10:00"}),
        actor=actor,
        client=client,
        idempotency_key=key,
        **kwargs,
    )


def test_message_is_written_in_the_callers_transaction_and_delivered_after_commit(
    org, actor, django_capture_on_commit_callbacks
):
    make_console_accounts(org)
    client = make_client(org)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(org, actor, client)
    assert message is not None
    assert message.status == Message.Status.QUEUED
    assert message.channel == "sms"
    assert message.recipient == "+380501234567"
    assert message.text == "Олено, see you at 10:00"  # the org writes in Ukrainian
    assert message.transport_code == "console"
    assert len(callbacks) == 1
    assert AuditLog.objects.filter(action="message.queue", object_id=str(message.pk)).exists()
    callbacks[0]()  # what happens on commit: the Huey task (immediate in tests)
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert message.attempts == 1
    assert message.provider_message_id.startswith("console-")
    assert message.sent_at is not None


def test_same_idempotency_key_gives_one_row(org, actor):
    make_console_accounts(org)
    client = make_client(org)
    first = send(org, actor, client, key="visit:1:reminder")
    second = send(org, actor, client, key="visit:1:reminder", variables={"visit_time": "11:00"})
    assert first is not None and second is not None
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert Message.objects.get().text.endswith("10:00")


def test_idempotency_key_is_per_organization(org, other_org, actor):
    make_console_accounts(org)
    send(org, actor, make_client(org), key="same")
    with org_scope(other_org):
        make_console_accounts(other_org)
        other = send(other_org, actor, make_client(other_org), key="same")
        assert other is not None and other.organization_id == other_org.pk


def test_linked_messenger_wins_then_sms_then_email(org, actor):
    make_console_accounts(org)
    client = make_client(org, email="olena@example.com")
    link_messenger(client, "telegram", "777")
    assert send(org, actor, client, key="a").channel == "telegram"
    assert Message.objects.get(idempotency_key="a").recipient == "777"
    assert Message.objects.get(idempotency_key="a").text == "TG Олено 10:00"

    no_messenger = make_client(org, name="Бойко Іван", phone="+380671112233", email="i@e.com")
    assert send(org, actor, no_messenger, key="b").channel == "sms"

    email_only = make_client(org, name="Email Only", phone="", email="only@example.com")
    message = send(org, actor, email_only, key="c")
    assert message.channel == "email"
    assert message.subject == "Visit at 10:00"


def test_no_reachable_channel_returns_none_and_writes_nothing(org, actor):
    client = make_client(org)  # no transport accounts at all
    assert send(org, actor, client) is None
    make_transport_account(org, "email")
    assert send(org, actor, client) is None  # e-mail configured, but the client has none
    assert Message.objects.count() == 0


def test_channel_order_per_event_and_switch_off(org, actor):
    make_console_accounts(org)
    client = make_client(org, email="olena@example.com")
    link_messenger(client, "telegram", "777")
    event_setting_save(organization=org, event="", channels=["email", "sms"], actor=actor)
    assert send(org, actor, client, key="a").channel == "email"
    event_setting_save(organization=org, event="tests.reminder", channels=["sms"], actor=actor)
    assert send(org, actor, client, key="b").channel == "sms"
    event_setting_save(
        organization=org, event="tests.reminder", channels=["sms"], is_enabled=False, actor=actor
    )
    assert send(org, actor, client, key="c") is None


def test_a_disabled_template_skips_its_channel(org, actor):
    make_console_accounts(org)
    client = make_client(org, email="olena@example.com")
    template_save(
        organization=org,
        event="tests.reminder",
        channel="sms",
        text="x",
        is_enabled=False,
        actor=actor,
    )
    assert send(org, actor, client).channel == "email"


def test_organization_template_overrides_default(org, actor):
    make_console_accounts(org)
    client = make_client(org)
    template_save(
        organization=org,
        event="tests.reminder",
        channel="sms",
        text="Привіт, {client.first_name}! Чекаємо о {visit_time}.",
        actor=actor,
    )
    assert send(org, actor, client).text == "Привіт, Олено! Чекаємо о 10:00."


@pytest.mark.parametrize(
    "name",
    ["{{ settings.SECRET_KEY }}", "<script>alert(1)</script>", "{client.phone}", "{visit_time}"],
)
def test_a_client_name_cannot_inject_template_code(org, actor, name):
    make_console_accounts(org)
    client = make_client(org, name=f"Surname {name}")
    message = send(org, actor, client, variables={"visit_time": "10:00"})
    first = name.split()[0]
    assert message.text == f"{first}, see you at 10:00"


def test_undeclared_variables_are_not_substituted(org, actor):
    make_console_accounts(org)
    client = make_client(org)
    message = message_send(
        organization=org,
        event="tests.reminder",
        variables={"visit_time": "10:00", "client.phone": "leak"},
        actor=actor,
        client=client,
        idempotency_key="x",
    )
    template_save(
        organization=org, event="tests.reminder", channel="sms", text="{visit_time}", actor=actor
    )
    assert message is not None and "leak" not in message.text


def test_template_with_unknown_variable_is_rejected(org, actor):
    with pytest.raises(DomainError) as err:
        template_save(
            organization=org,
            event="tests.reminder",
            channel="sms",
            text="{client.phone} {secret}",
            actor=actor,
        )
    assert err.value.errors[0]["field"] == "text"

    assert MessageTemplate.objects.count() == 0


def test_explicit_recipient_and_channel(org, actor):
    make_transport_account(org, "email")
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        recipient="someone@example.com",
        idempotency_key="r1",
    )
    assert message is not None
    assert message.channel == "email" and message.client_id is None
    # Default texts are written in the organization's language.
    # The name is not declined ("від Студія краси" was wrong): it follows a colon.
    assert message.subject == f"Тестове повідомлення. Відправник: {org.name}"
    org.language = "en"
    english = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        recipient="someone@example.com",
        idempotency_key="r2",
    )
    assert english is not None and english.subject == f"Test message from {org.name}"


def test_foreign_client_is_refused(org, other_org, actor):
    make_console_accounts(org)
    with org_scope(other_org):
        foreign = make_client(other_org)
    with pytest.raises(DomainError):
        send(org, actor, foreign)
    assert Message.objects.count() == 0


def test_related_object_link(org, actor, owner):

    make_console_accounts(org)
    client = make_client(org)
    message = send(org, actor, client, related=owner)
    assert list(messages_for(owner)) == [message]
    assert list(messages_for(client)) == []


def test_custom_message_needs_text_and_a_channel(org, actor):
    client = make_client(org)
    with pytest.raises(DomainError) as err:
        message_send_custom(client=client, text="  ", actor=actor)
    assert err.value.errors[0]["field"] == "text"
    with pytest.raises(DomainError):
        message_send_custom(client=client, text="Hello", actor=actor)
    make_console_accounts(org)
    message = message_send_custom(client=client, text="Hello {client.first_name}", actor=actor)
    # Staff text is a value, not a template: placeholders in it stay literal.
    assert message.text == "Hello {client.first_name}"


def test_send_query_count_is_constant(org, actor):
    make_console_accounts(org)
    client = make_client(org)
    link_messenger(client, "viber", "v1")
    with CaptureQueriesContext(connection) as first:
        send(org, actor, client, key="q1")
    with CaptureQueriesContext(connection) as second:
        send(org, actor, client, key="q2")
    assert len(first) == len(second) <= 12


def test_send_many_routes_like_send_and_shares_its_idempotency_keys(org, other_org, actor):

    make_console_accounts(org)
    event_setting_save(organization=org, event="", channels=["telegram", "sms"], actor=actor)
    with_telegram = make_client(org, name="Шевченко Олена", email="o@example.com")
    link_messenger(with_telegram, "telegram", "777")
    sms_only = make_client(org, name="Бойко Іван", phone="+380671112233")
    asked_email = make_client(org, name="Мельник Ганна", phone="+380671112244", email="g@e.com")
    gone = make_client(org, name="Deleted Client", phone="+380671112255")
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])
    already = make_client(org, name="Коваль Петро", phone="+380671112266")
    send(org, actor, already, key="many:already")
    with org_scope(other_org):
        foreign = make_client(other_org, name="Foreign Client", phone="+380671112277")

    def outgoing(client, key, **kwargs):
        return Outgoing(
            client=client, variables={"visit_time": "10:00"}, idempotency_key=key, **kwargs
        )

    before = Message.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        written = message_send_many(
            organization=org,
            event="tests.reminder",
            messages=[
                outgoing(with_telegram, "many:1"),
                outgoing(sms_only, "many:2"),
                outgoing(asked_email, "many:3", channel="email"),
                outgoing(gone, "many:4"),
                outgoing(already, "many:already"),
                outgoing(foreign, "many:5"),
            ],
            now=timezone.now(),
        )
    assert len(ctx) <= 9  # settings, accounts, templates, messengers, keys, one insert
    sent = {m.idempotency_key: m for m in Message.objects.filter(idempotency_key__startswith="m")}
    assert (sent["many:1"].channel, sent["many:1"].recipient) == ("telegram", "777")
    assert sent["many:1"].text == "TG Олено 10:00"
    assert (sent["many:2"].channel, sent["many:2"].text) == ("sms", "Іване, see you at 10:00")
    assert (sent["many:3"].channel, sent["many:3"].subject) == ("email", "Visit at 10:00")
    # the deleted client and the other organization's client get nothing; the key already
    # used by message_send is not queued twice
    assert "many:4" not in sent and "many:5" not in sent
    assert Message.objects.filter(idempotency_key="many:already").count() == 1
    assert Message.objects.count() == before + 3
    assert written == 3
