"""The clients/tags API (API.md "Clients and ledger", client part), including bad input."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories_clients import make_client, make_tag
from zapys.clients import hooks
from zapys.clients.models import Client, ClientFreeze, Tag
from zapys.core.models import AuditLog


def _state():
    return (
        list(Client.objects.order_by("id").values()),
        list(Tag.objects.order_by("id").values_list("id", "name")),
        list(Client.tags.through.objects.order_by("id").values_list("client_id", "tag_id")),
        list(ClientFreeze.objects.order_by("id").values()),
        AuditLog.objects.count(),
    )


@pytest.fixture(autouse=True)
def _no_membership_shift(monkeypatch):
    monkeypatch.setattr(hooks, "client_frozen", lambda **kw: 0)
    monkeypatch.setattr(hooks, "client_unfrozen", lambda **kw: 0)


def test_create_get_shape(org, api):
    make_tag(org, "VIP")
    r = api.post(
        "/clients",
        {
            "name": "Коваленко Олена",
            "phone": "067 123 45 67",
            "email": "olena@example.com",
            "birthday": "1990-05-17",
            "note": "hi",
            "tags": ["vip", "new one"],
        },
    )
    assert r.status == 201, r.body
    body = r.body
    assert body["phone"] == "+380671234567"
    assert sorted(body["tags"]) == ["VIP", "new one"]
    assert body["balance"] == 0 and body["frozen"] is False and body["deleted"] is False
    assert body["cabinet_url"].endswith(f"/c/{Client.objects.get(pk=body['id']).cabinet_token}/")
    assert body["warnings"] == []
    assert body["client_type"] == "individual" and body["status"] == "active"
    got = api.get(f"/clients/{body['id']}")
    assert got.status == 200
    for key in (
        "id",
        "name",
        "phone",
        "email",
        "birthday",
        "note",
        "client_type",
        "status",
        "tags",
        "balance",
        "frozen",
        "deleted",
        "cabinet_url",
        "created_at",
    ):
        assert key in got.body
    assert got.body["birthday"] == "1990-05-17"


def test_duplicate_phone_warns_in_create_and_update(org, api):
    make_client(org, "First", phone="+380671234567")
    r = api.post("/clients", {"name": "Second", "phone": "+380 67 123 4567"})
    assert r.status == 201 and len(r.body["warnings"]) == 1 and "First" in r.body["warnings"][0]
    other = make_client(org, "Third")
    r = api.patch(f"/clients/{other.pk}", {"phone": "0671234567"})
    assert r.status == 200 and len(r.body["warnings"]) == 2


@pytest.mark.parametrize(
    "body, field, status",
    [
        ({"name": "X", "phone": "123"}, "phone", 400),
        ({"name": "", "phone": "+380671234567"}, "name", 400),
        ({"name": "X", "phone": "+380671234567", "email": "nope"}, "email", 400),
        ({"name": "X", "phone": "+380671234567", "tags": ["ok", " "]}, "tags", 400),
        ({"name": "X", "phone": "+380671234567", "birthday": "17.05.1990"}, "birthday", 422),
        ({"name": "X", "phone": "+380671234567", "status": "zombie"}, "status", 400),
        ({"name": "X"}, "phone", 422),
        ({"name": "X", "phone": "+380671234567", "tag_ids": [999999]}, "tag_ids", 400),
    ],
)
def test_create_bad_input(org, api, body, field, status):
    make_client(org, "Existing", tags=["a"])
    before = _state()
    r = api.post("/clients", body)
    assert r.status == status, r.body
    assert r.body["detail"]
    assert field in [e["field"] for e in r.body["errors"]]
    assert _state() == before


def test_patch_partial_and_bad_input(org, api):
    client = make_client(org, "Name", email="a@example.com", tags=["x"])
    r = api.patch(f"/clients/{client.pk}", {"note": "new note"})
    assert r.status == 200
    assert r.body["note"] == "new note" and r.body["email"] == "a@example.com"
    assert r.body["tags"] == ["x"]
    r = api.patch(f"/clients/{client.pk}", {"tags": ["y", "z"], "status": "inactive"})
    assert r.body["tags"] == ["y", "z"] and r.body["status"] == "inactive"
    before = _state()
    for bad in ({"phone": "abc"}, {"tags": [""]}, {"client_type": "x"}):
        r = api.patch(f"/clients/{client.pk}", bad)
        assert r.status == 400, (bad, r.body)
        assert r.body["errors"][0]["field"] in bad
    # null for what cannot be emptied, control characters: refused at the edge.
    for bad in ({"name": None}, {"status": None}, {"note": None}, {"name": "a\x00b"}):
        r = api.patch(f"/clients/{client.pk}", bad)
        assert r.status == 422, (bad, r.body)
        assert [e["field"] for e in r.body["errors"]] == list(bad)
    assert _state() == before
    assert api.patch("/clients/999999", {"name": "x"}).status == 404


def test_list_search_and_tags(org, api):
    a = make_client(org, "Alpha Person", phone="+380671234567", tags=["vip"])
    b = make_client(org, "Beta Person", tags=["club"])
    make_client(org, "Gamma", tags=[])
    r = api.get("/clients", search="person")
    assert r.status == 200 and r.body["count"] == 2
    assert [i["id"] for i in r.body["items"]] == [a.pk, b.pk]
    r = api.get("/clients?tag=vip&tag=club")
    assert {i["id"] for i in r.body["items"]} == {a.pk, b.pk}
    r = api.get("/clients?tag=vip")
    assert [i["id"] for i in r.body["items"]] == [a.pk]
    assert r.body["items"][0]["tags"] == ["vip"]
    r = api.get("/clients", search="067 123")
    assert [i["id"] for i in r.body["items"]] == [a.pk]
    r = api.get("/clients?limit=1&offset=1")
    assert r.body["count"] == 3 and len(r.body["items"]) == 1


def test_delete_restore(org, api):
    client = make_client(org, "Soon Gone")
    r = api.delete(f"/clients/{client.pk}")
    assert r.status == 204
    assert api.get("/clients").body["count"] == 0
    assert api.get("/clients", search="Soon").body["count"] == 0
    got = api.get(f"/clients/{client.pk}")
    assert got.status == 200 and got.body["deleted"] is True
    assert api.get("/clients?deleted=true").body["items"][0]["id"] == client.pk
    assert api.patch(f"/clients/{client.pk}", {"name": "x"}).status == 409
    r = api.post(f"/clients/{client.pk}/restore")
    assert r.status == 200 and r.body["deleted"] is False
    assert api.post(f"/clients/{client.pk}/restore").status == 409
    assert api.get("/clients").body["count"] == 1
    assert api.delete("/clients/999999").status == 404


def test_freeze_unfreeze(org, api):
    client = make_client(org)
    today = date.today()
    r = api.post(
        f"/clients/{client.pk}/freeze",
        {"date_from": str(today.replace(day=1)), "date_to": "2999-12-31", "reason": "holiday"},
    )
    assert r.status == 200, r.body
    assert r.body["frozen"] is True and r.body["freeze"]["reason"] == "holiday"
    assert api.get("/clients").body["items"][0]["frozen"] is True
    r = api.post(f"/clients/{client.pk}/unfreeze")
    assert r.status == 200 and r.body["frozen"] is False
    assert api.post(f"/clients/{client.pk}/unfreeze").status == 409


def test_freeze_bad_input(org, api):
    client = make_client(org)
    before = _state()
    r = api.post(
        f"/clients/{client.pk}/freeze", {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert r.status == 400 and r.body["errors"][0]["field"] == "date_to"
    r = api.post(f"/clients/{client.pk}/freeze", {"date_from": "2026-03-10"})
    assert r.status == 422 and r.body["errors"][0]["field"] == "date_to"
    r = api.post(f"/clients/{client.pk}/freeze", {"date_from": "soon", "date_to": "2026-03-01"})
    assert r.status == 422
    assert _state() == before


def test_tags_list_and_create(org, api):
    a = make_client(org, "A")
    r = api.post("/tags", {"name": "Yoga", "color": "#112233", "client_ids": [a.pk]})
    assert r.status == 201 and r.body["name"] == "Yoga" and r.body["color"] == "#112233"
    assert list(a.tags.values_list("name", flat=True)) == ["Yoga"]
    assert api.post("/tags", {"name": "yoga"}).body["id"] == r.body["id"]
    listed = api.get("/tags")
    assert listed.status == 200 and listed.body["count"] == 1
    before = _state()
    for bad, status, field in (
        ({"name": "  "}, 422, "name"),
        ({"name": "x", "color": "red"}, 422, "color"),
        ({"name": "x\x00"}, 422, "name"),
        ({"name": "x", "client_ids": [2**63]}, 422, "client_ids.0"),
        ({"name": "x", "client_ids": [999999]}, 404, "client_ids"),
    ):
        r = api.post("/tags", bad)
        assert r.status == status, (bad, r.body)
        assert [e["field"] for e in r.body["errors"]] == [field], r.body
    assert _state() == before


def test_unauthenticated_is_401(db, client):
    assert client.get("/api/v1/clients").status_code == 401


def test_list_query_count_is_constant(org, api, django_assert_max_num_queries):
    for i in range(300):
        make_client(org, f"Client {i:03d}", tags=["a", "b"] if i % 2 else ["c"])
    api.get("/clients?limit=1")  # the first call of a key records last_used_at
    counts = []
    for offset in (0, 100):
        with CaptureQueriesContext(connection) as ctx:
            r = api.get(f"/clients?limit=50&offset={offset}")
        assert r.status == 200 and len(r.body["items"]) == 50
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 8


def test_create_reports_every_invalid_field(org, api):
    before = _state()
    r = api.post("/clients", {"name": "", "phone": "123", "email": "nope", "tags": [" "]})
    assert r.status == 400, r.body
    assert [e["field"] for e in r.body["errors"]] == ["name", "phone", "email", "tags"]
    assert all(e["message"] for e in r.body["errors"])
    assert _state() == before
    client = make_client(org, "Patched")
    before = _state()
    r = api.patch(f"/clients/{client.pk}", {"phone": "abc", "email": "x@", "status": "zombie"})
    assert r.status == 400
    assert [e["field"] for e in r.body["errors"]] == ["phone", "email", "status"]
    assert _state() == before


@time_machine.travel(datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Kyiv")), tick=False)
def test_unfreezing_a_planned_freeze_cancels_it_and_a_second_call_is_409(org, api):
    client = make_client(org)
    r = api.post(
        f"/clients/{client.pk}/freeze", {"date_from": "2026-12-01", "date_to": "2026-12-10"}
    )
    assert r.status == 200 and r.body["frozen"] is False
    assert r.body["freeze"]["date_from"] == "2026-12-01"
    r = api.post(f"/clients/{client.pk}/unfreeze")
    assert r.status == 200 and r.body["freeze"] is None and r.body["frozen"] is False
    freeze = ClientFreeze.objects.get()
    assert freeze.ended_early_at == date(2026, 11, 30) and freeze.is_cancelled
    before = _state()
    r = api.post(f"/clients/{client.pk}/unfreeze")
    assert r.status == 409 and r.body["detail"]
    assert _state() == before
