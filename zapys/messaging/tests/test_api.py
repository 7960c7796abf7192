"""The messaging API: outbox list/detail, custom messages, templates, notifications."""

from __future__ import annotations

import pytest

from tests.factories import make_staff
from tests.factories_messaging import link_messenger, make_client, make_console_accounts
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message, MessageTemplate, StaffNotification
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


def test_list_filter_and_get(org, actor, api, django_assert_max_num_queries):
    make_console_accounts(org)
    olena = make_client(org)
    ivan = make_client(org, name="Бойко Іван", phone="+380671112233")
    link_messenger(ivan, "telegram", "55")
    for i in range(3):
        _queue(org, actor, olena, f"o{i}")
    _queue(org, actor, ivan, "i0")
    with django_assert_max_num_queries(6):
        response = api.get("/messages", limit=2)
    assert response.status == 200
    assert response.body["count"] == 4 and len(response.body["items"]) == 2
    response = api.get("/messages", client_id=ivan.pk)
    assert [m["channel"] for m in response.body["items"]] == ["telegram"]
    assert api.get("/messages", channel="sms").body["count"] == 3
    assert api.get("/messages", status="sent").body["count"] == 0
    message_id = response.body["items"][0]["id"]
    detail = api.get(f"/messages/{message_id}").body
    assert detail["recipient"] == "55" and detail["status"] == "queued"
    assert detail["transport"] == "console"
    assert api.get("/messages/999999").status == 404


def test_send_custom_message_to_a_client(org, api, django_capture_on_commit_callbacks):
    make_console_accounts(org)
    client = make_client(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/clients/{client.pk}/messages", {"text": "Ми відкрились!"})
    assert response.status == 201, response.body
    assert response.body["text"] == "Ми відкрились!"
    assert response.body["channel"] == "sms"
    assert Message.objects.get().status == Message.Status.DELIVERED
    response = api.post(
        f"/clients/{client.pk}/messages", {"text": "Hi", "channel": "email"}
    )  # no e-mail address
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "channel"
    response = api.post(f"/clients/{client.pk}/messages", {"text": "  "})
    assert response.status == 400 and response.body["errors"][0]["field"] == "text"
    response = api.post(f"/clients/{client.pk}/messages", {"text": "x", "channel": "fax"})
    assert response.status == 422 and response.body["errors"][0]["field"] == "channel"
    assert Message.objects.count() == 1


def test_templates_get_and_put(org, api):
    response = api.get("/message-templates", event=TEST_MESSAGE)
    assert response.status == 200
    sms = next(t for t in response.body["items"] if t["channel"] == "sms")
    assert sms["custom"] is False and "client.first_name" in sms["variables"]

    response = api.put(f"/message-templates/{TEST_MESSAGE}/sms", {"text": "Hi {client.first_name}"})
    assert response.status == 200, response.body
    assert response.body["custom"] is True and response.body["text"] == "Hi {client.first_name}"
    assert api.get(f"/message-templates/{TEST_MESSAGE}/sms").body["text"] == (
        "Hi {client.first_name}"
    )

    response = api.put(f"/message-templates/{TEST_MESSAGE}/sms", {"text": "{client.phone}"})
    assert response.status == 422 and response.body["errors"][0]["field"] == "text"
    assert MessageTemplate.objects.get().text == "Hi {client.first_name}"
    assert api.put("/message-templates/nope/sms", {"text": "x"}).status == 404
    assert api.put(f"/message-templates/{TEST_MESSAGE}/fax", {"text": "x"}).status == 404
    assert api.put(f"/message-templates/{TEST_MESSAGE}/sms", {}).status == 422


def test_notifications(org, owner, api):

    colleague = make_staff(org, "administrator")
    team = staff_notify(organization=org, title="New booking", url="/visits/1/")
    mine = staff_notify(organization=org, title="For you", recipient=owner)
    staff_notify(organization=org, title="For a colleague", recipient=colleague)
    response = api.get("/notifications")
    assert [n["title"] for n in response.body["items"]] == ["For you", "New booking"]
    assert response.body["items"][0]["for_me_only"] is True
    assert api.get("/notifications", unread=True).body["count"] == 2

    response = api.post(f"/notifications/{team.pk}/read")
    assert response.status == 200 and response.body["read_at"]
    assert api.get("/notifications", unread="true").body["count"] == 1
    assert api.post("/notifications/read-all").body == {"marked": 1}
    assert StaffNotification.objects.get(pk=mine.pk).read_by == owner
    assert StaffNotification.objects.filter(read_at__isnull=True).count() == 1  # colleague's
    other = StaffNotification.objects.get(title="For a colleague")
    assert api.post(f"/notifications/{other.pk}/read").status == 404
