"""The cabinet link over the API (API.md "Client cabinet, bots, broadcasts")."""

from __future__ import annotations

from tests.factories_clients import make_client
from zapys.clients.models import Client
from zapys.core.models import AuditLog


def test_every_client_has_a_cabinet_url_and_a_new_one_kills_the_old(api, org, client):
    customer = make_client(org)
    got = api.get(f"/clients/{customer.pk}")
    assert got.status == 200
    old_url = got.body["cabinet_url"]
    assert old_url == f"http://testserver/c/{customer.cabinet_token}/"
    assert client.get(old_url.removeprefix("http://testserver")).status_code == 200

    made = api.post(f"/clients/{customer.pk}/cabinet-link", {})
    assert made.status == 200, made.body
    new_url = made.body["cabinet_url"]
    customer.refresh_from_db()
    assert new_url == f"http://testserver/c/{customer.cabinet_token}/" and new_url != old_url
    assert api.get(f"/clients/{customer.pk}").body["cabinet_url"] == new_url
    assert client.get(old_url.removeprefix("http://testserver")).status_code == 404
    assert client.get(new_url.removeprefix("http://testserver")).status_code == 200
    assert AuditLog.objects.filter(action="client.cabinet_link").count() == 1

    listed = api.get("/clients")
    assert [item["cabinet_url"] for item in listed.body["items"]] == [new_url]


def test_a_missing_or_deleted_client_keeps_its_link(api, org):
    customer = make_client(org)
    before = customer.cabinet_token
    assert api.post("/clients/999999/cabinet-link", {}).status == 404
    assert api.delete(f"/clients/{customer.pk}").status == 204
    assert api.post(f"/clients/{customer.pk}/cabinet-link", {}).status == 404
    assert Client.objects.get(pk=customer.pk).cabinet_token == before
    assert not AuditLog.objects.filter(action="client.cabinet_link").exists()
