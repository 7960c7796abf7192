"""The broadcast API (API.md): create with each audience, progress, bad input (422/400 with
fields, nothing created), a broadcast to nobody."""

from __future__ import annotations

from unittest import mock

import pytest

from tests.factories_clients import make_client, make_tag
from zapys.broadcasts import services
from zapys.broadcasts.models import Broadcast
from zapys.messaging.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_task():
    with mock.patch.object(services, "_enqueue") as enqueue:
        yield enqueue


def test_create_to_a_tag_and_read_progress(
    api, org, consoles, _no_task, django_capture_on_commit_callbacks
):
    make_tag(org, "VIP")
    vip = [make_client(org, tags=["VIP"]) for _ in range(2)]
    make_client(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/broadcasts",
            {"audience": {"tags": ["VIP"]}, "channel": "sms", "text": "Hello {client.first_name}"},
        )
    assert response.status == 201, response.json
    body = response.json
    assert body["status"] == "scheduled" and body["total"] == 2
    assert (body["sent"], body["failed"]) == (0, 0)
    broadcast = Broadcast.objects.get(pk=body["id"])
    assert broadcast.tag_ids and _no_task.called  # send now: the task is enqueued on commit
    services.broadcast_run(broadcast_id=broadcast.pk, now=broadcast.send_at)
    got = api.get(f"/api/v1/broadcasts/{broadcast.pk}").json
    assert (got["status"], got["queued"]) == ("sending", 2)
    assert sorted(Message.objects.values_list("client_id", flat=True)) == sorted(c.pk for c in vip)


def test_segments_and_clients(api, org, consoles):
    a = make_client(org)
    response = api.post(
        "/api/v1/broadcasts",
        {"audience": {"client_ids": [a.pk]}, "text": "Hi", "send_at": "2030-01-01T10:00:00+02:00"},
    )
    assert response.status == 201
    assert response.json["status"] == "scheduled"
    response = api.post(
        "/api/v1/broadcasts",
        {"audience": {"segment": "last_visit_before", "days": 30}, "text": "Hi"},
    )
    assert response.status == 400  # nobody visited: nobody in the audience
    assert response.json["errors"][0]["field"] == "audience"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"audience": {"all": True}, "text": ""}, 400, "text"),
        ({"audience": {"all": True}, "text": "x" * 4001}, 422, "text"),
        ({"audience": {"all": True}, "text": "Hi", "channel": "pigeon"}, 422, "channel"),
        ({"audience": {}, "text": "Hi"}, 400, "audience"),
        ({"audience": {"all": True, "tags": ["VIP"]}, "text": "Hi"}, 400, "audience"),
        ({"audience": {"tags": ["Nope"]}, "text": "Hi"}, 400, "audience.tags"),
        ({"audience": {"segment": "last_visit_before"}, "text": "Hi"}, 400, "audience.days"),
        ({"audience": {"segment": "rich"}, "text": "Hi"}, 422, "audience.segment"),
        ({"audience": {"client_ids": [0]}, "text": "Hi"}, 422, "audience.client_ids.0"),
        ({"audience": {"all": True}, "text": "Hi", "send_at": "yesterday"}, 422, "send_at"),
        (
            {"audience": {"all": True}, "text": "Hi", "send_at": "2020-01-01T10:00:00Z"},
            400,
            "send_at",
        ),
    ],
)
def test_bad_input_changes_nothing(api, org, consoles, body, status, field):
    make_client(org)
    response = api.post("/api/v1/broadcasts", body)
    assert response.status == status, response.json
    fields = [e["field"] for e in response.json["errors"]]
    assert field in fields, fields
    assert not Broadcast.objects.exists()


def test_unknown_broadcast_is_404(api, org):
    assert api.get("/api/v1/broadcasts/999999").status == 404


def test_another_organizations_tag_name_is_unknown_here(api, org, other_org, consoles):
    from tests.factories_messaging import make_transport_account
    from zapys.core.tenancy import org_scope, unscoped

    make_client(org)
    with org_scope(other_org):
        make_transport_account(other_org)
        make_tag(other_org, "Only theirs")
        make_client(other_org, tags=["Only theirs"])
    response = api.post("/api/v1/broadcasts", {"audience": {"tags": ["Only theirs"]}, "text": "Hi"})
    assert response.status == 400
    with unscoped():
        assert not Broadcast.objects.exists() and not Message.objects.exists()
