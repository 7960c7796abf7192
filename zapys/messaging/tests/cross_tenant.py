"""Cross-tenant cases for the messaging API (tests/test_cross_tenant.py runs them)."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories import SYSTEM
from tests.factories_messaging import make_client, make_console_accounts
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message, MessageTemplate, StaffNotification
from zapys.messaging.services import message_send, staff_notify, template_save


def _snapshot():
    return (
        list(Message.objects.order_by("id").values_list("id", "status", "text")),
        list(MessageTemplate.objects.order_by("id").values_list("id", "text")),
        list(StaffNotification.objects.order_by("id").values_list("id", "read_at")),
    )


def _message(victim):
    make_console_accounts(victim)
    client = make_client(victim, name="Victim Client")
    message = message_send(
        organization=victim,
        event=TEST_MESSAGE,
        variables={},
        actor=SYSTEM,
        client=client,
        idempotency_key="victim-1",
    )
    assert message is not None
    return CaseInput(
        path_params={"message_id": message.pk},
        query={"client_id": client.pk},
        foreign_ids=[message.pk],
        snapshot=_snapshot,
    )


def _client_message(victim):
    make_console_accounts(victim)
    client = make_client(victim, name="Victim Client")
    return CaseInput(
        path_params={"client_id": client.pk},
        body={"text": "Hello from another organization"},
        snapshot=_snapshot,
    )


def _template(victim):
    template_save(
        organization=victim, event=TEST_MESSAGE, channel="sms", text="Victim's text", actor=SYSTEM
    )

    def check(body, victim_org):
        texts = [body["text"]] if "text" in body else [t["text"] for t in body["items"]]
        assert "Victim's text" not in texts

    return CaseInput(
        path_params={"event": TEST_MESSAGE, "channel": "sms"},
        body={"text": "Overwritten by A"},
        snapshot=_snapshot,
        check=check,
    )


def _notification(victim):
    notification = staff_notify(organization=victim, title="Victim's notification")
    return CaseInput(
        path_params={"notification_id": notification.pk},
        foreign_ids=[notification.pk],
        snapshot=_snapshot,
    )


def _read_all(victim):
    staff_notify(organization=victim, title="Victim's notification")

    def check(body, victim_org):
        assert body == {"marked": 0}

    return CaseInput(snapshot=_snapshot, check=check)


CASES = [
    CrossTenantCase("get", "/api/v1/messages", _message, kind="list"),
    CrossTenantCase("get", "/api/v1/messages/{message_id}", _message),
    CrossTenantCase("post", "/api/v1/clients/{client_id}/messages", _client_message),
    CrossTenantCase("get", "/api/v1/message-templates", _template, kind="own"),
    CrossTenantCase("get", "/api/v1/message-templates/{event}/{channel}", _template, kind="own"),
    CrossTenantCase("put", "/api/v1/message-templates/{event}/{channel}", _template, kind="own"),
    CrossTenantCase("get", "/api/v1/notifications", _notification, kind="list"),
    CrossTenantCase("post", "/api/v1/notifications/{notification_id}/read", _notification),
    CrossTenantCase("post", "/api/v1/notifications/read-all", _read_all, kind="own"),
]
