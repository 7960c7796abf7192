"""The waiting-list API: `POST /waitlist`, `GET /waitlist?status=`, `DELETE /waitlist/{id}`,
with bad input (422/404/409 with fields, nothing written) and constant queries per list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.schedule import services as schedule
from zapys.waitlist.models import Entry, Offer


def test_create_list_and_remove(
    api, org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    specialist, service = salon
    client = make_client("Api Alla")
    day = timezone.localtime(booked_slot.starts_at).date()
    created = api.post(
        "/waitlist",
        {
            "client_id": client.pk,
            "service_id": service.pk,
            "staff_id": specialist.pk,
            "date_from": day.isoformat(),
            "date_to": day.isoformat(),
        },
    )
    assert created.status == 201, created.body
    body = created.body
    assert (body["status"], body["client_id"], body["offer_url"], body["offer_expires_at"]) == (
        "waiting",
        client.pk,
        None,
        None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=Actor.system("tests"))
    listed = api.get("/waitlist", status="offered")
    assert listed.status == 200 and listed.body["count"] == 1
    item = listed.body["items"][0]
    offer = Offer.objects.get()
    assert item["id"] == body["id"]
    assert item["offer_url"] == f"http://testserver/w/{offer.token}/"
    assert item["offer_expires_at"] is not None
    assert api.get("/waitlist", status="waiting").body["count"] == 0

    removed = api.delete(f"/waitlist/{body['id']}")
    assert removed.status == 200 and removed.body["status"] == "removed"
    again = api.delete(f"/waitlist/{body['id']}")
    assert again.status == 409 and again.body["errors"][0]["field"] == "status"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({}, 422, "client_id"),
        ({"client_id": "x"}, 422, "client_id"),
        ({"client_id": -1}, 422, "client_id"),
        ({"client_id": 999999}, 404, "client_id"),
        ({"service_id": 999999}, 404, "service_id"),
        ({"date_from": "2026-13-01"}, 422, "date_from"),
        ({"date_from": "+3", "date_to": "+1"}, 400, "date_to"),
        ({"no_service": True}, 400, "service_id"),
        ({"lesson_id": "visit"}, 400, "lesson_id"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(
    api, org, salon, booked_slot, make_client, payload, status, field
):
    _specialist, service = salon
    body = {"client_id": make_client().pk, "service_id": service.pk}
    today = timezone.localdate()
    for key, value in payload.items():
        if key == "no_service":
            body.pop("service_id")
        elif key == "lesson_id" and value == "visit":
            body["lesson_id"] = booked_slot.pk  # an appointment is not a group lesson
        elif isinstance(value, str) and value.startswith("+"):
            body[key] = (today + timedelta(days=int(value))).isoformat()
        else:
            body[key] = value
    if "client_id" not in payload and payload == {}:
        body.pop("client_id")
    response = api.post("/waitlist", body)
    assert response.status == status, response.body
    assert field in {e["field"] for e in response.body["errors"]}, response.body
    assert not Entry.objects.exists()


def test_a_deleted_client_cannot_wait(api, org, salon, make_client):
    from zapys.clients.models import Client

    _specialist, service = salon
    client = make_client()
    Client.objects.filter(pk=client.pk).update(deleted_at=timezone.now())
    response = api.post("/waitlist", {"client_id": client.pk, "service_id": service.pk})
    assert response.status == 404
    assert not Entry.objects.exists()


def test_list_costs_the_same_for_one_and_many(api, org, salon, make_client):
    from zapys.waitlist.services import entry_create

    _specialist, service = salon

    def add(n):
        for _i in range(n):
            entry_create(
                organization=org, client=make_client(), service=service, actor=Actor.system("tests")
            )

    add(1)
    api.get("/waitlist")  # the key's first use of the day writes its last-used date
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert api.get("/waitlist").body["count"] == 1
    add(9)
    with CaptureQueriesContext(connection) as many:
        assert api.get("/waitlist").body["count"] == 10
    assert len(many.captured_queries) == len(one.captured_queries)
