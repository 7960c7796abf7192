"""`Client.payer_id` in the clients API (API.md "Invoices", X6): read in the list and the
card, written by POST and PATCH, refused as a 422 field error (another organization's
client, the client themself, a chain) with nothing changed; the list's queries do not grow
with the payers."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from zapys.clients.models import Client
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.invoices import services
from zapys.invoices.models import ClientPayer


def _payers(org) -> dict[int, int]:
    return dict(ClientPayer.objects.for_org(org).values_list("client_id", "payer_id"))


def test_read_in_the_card_and_the_list(api, org):
    mother, son = make_client(org, name="Мати"), make_client(org, name="Син")
    services.client_payer_set(client=son, payer=mother, actor=SYSTEM)
    assert api.get(f"/clients/{son.pk}").body["payer_id"] == mother.pk
    assert api.get(f"/clients/{mother.pk}").body["payer_id"] is None
    listed = {c["id"]: c["payer_id"] for c in api.get("/clients").body["items"]}
    assert listed == {mother.pk: None, son.pk: mother.pk}


def test_create_with_a_payer_and_change_it_by_patch(api, org):
    mother, aunt = make_client(org, name="Мати"), make_client(org, name="Тітка")
    r = api.post(
        "/clients", {"name": "Донька Оля", "phone": "+380671112233", "payer_id": mother.pk}
    )
    assert r.status == 201, r.body
    daughter = r.body["id"]
    assert r.body["payer_id"] == mother.pk
    assert _payers(org) == {daughter: mother.pk}
    r = api.patch(f"/clients/{daughter}", {"payer_id": aunt.pk})
    assert (r.status, r.body["payer_id"]) == (200, aunt.pk)
    # a PATCH without payer_id keeps it
    r = api.patch(f"/clients/{daughter}", {"note": "ходить по вівторках"})
    assert (r.status, r.body["payer_id"]) == (200, aunt.pk)
    # null: the client pays
    r = api.patch(f"/clients/{daughter}", {"payer_id": None})
    assert (r.status, r.body["payer_id"]) == (200, None)
    assert _payers(org) == {}
    # the audit names the payers, never their ids
    changes = list(
        AuditLog.objects.filter(action="client.payer_set")
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert changes == [
        {"payer": [None, "Мати"]},
        {"payer": ["Мати", "Тітка"]},
        {"payer": ["Тітка", None]},
    ]


def _refused(response, field="payer_id"):
    assert response.status == 422, response.body
    assert [e["field"] for e in response.body["errors"]] == [field]
    assert response.body["errors"][0]["message"]


def test_bad_payers_are_field_errors_and_change_nothing(api, org, other_org):
    mother, son = make_client(org, name="Мати"), make_client(org, name="Син")
    grandma = make_client(org, name="Бабуся")
    services.client_payer_set(client=son, payer=mother, actor=SYSTEM)
    deleted = make_client(org, name="Видалений")
    Client.objects.filter(pk=deleted.pk).update(deleted_at=son.created_at)
    with org_scope(other_org):
        foreign = make_client(other_org, name="Чужий")
    before_clients = list(Client.objects.order_by("id").values_list("id", "name", "note"))
    before_payers = _payers(org)
    before_audit = AuditLog.objects.count()

    _refused(api.patch(f"/clients/{son.pk}", {"payer_id": son.pk}))  # themself
    _refused(api.patch(f"/clients/{son.pk}", {"payer_id": foreign.pk, "note": "змінено"}))
    _refused(api.patch(f"/clients/{son.pk}", {"payer_id": deleted.pk}))
    _refused(api.patch(f"/clients/{son.pk}", {"payer_id": 9_999_999}))
    # chains (and so cycles): a child cannot pay, a payer cannot be given a payer
    _refused(api.patch(f"/clients/{grandma.pk}", {"payer_id": son.pk}))
    _refused(api.patch(f"/clients/{mother.pk}", {"payer_id": grandma.pk}))
    _refused(api.patch(f"/clients/{mother.pk}", {"payer_id": son.pk}))
    # a refused payer creates no client
    _refused(
        api.post("/clients", {"name": "Новий", "phone": "+380671112244", "payer_id": foreign.pk})
    )
    assert api.patch(f"/clients/{son.pk}", {"payer_id": 0}).status == 422  # not an id

    assert list(Client.objects.order_by("id").values_list("id", "name", "note")) == before_clients
    assert _payers(org) == before_payers
    assert AuditLog.objects.count() == before_audit
    with org_scope(other_org):
        assert ClientPayer.objects.for_org(other_org).count() == 0


def test_another_organizations_payer_is_never_shown(api, org, other_org):
    with org_scope(other_org):
        their_parent, their_child = make_client(other_org), make_client(other_org)
        services.client_payer_set(client=their_child, payer=their_parent, actor=SYSTEM)
    assert api.get(f"/clients/{their_child.pk}").status == 404
    assert all(c["payer_id"] is None for c in api.get("/clients").body["items"])


def _list_queries(api) -> int:
    with CaptureQueriesContext(connection) as queries:
        r = api.get("/clients?limit=500")
    assert r.status == 200
    return len(queries)


def test_the_list_costs_the_same_with_more_payers(api, org):
    parent = make_client(org, name="Батько")
    api.get("/clients")  # the key's first use is recorded once; not part of the list's cost
    for n in range(2):
        services.client_payer_set(
            client=make_client(org, name=f"Дитина {n}"), payer=parent, actor=SYSTEM
        )
    small = _list_queries(api)
    for n in range(2, 12):
        services.client_payer_set(
            client=make_client(org, name=f"Дитина {n}"), payer=parent, actor=SYSTEM
        )
    large = _list_queries(api)
    assert small == large
    listed = {c["id"]: c["payer_id"] for c in api.get("/clients?limit=500").body["items"]}
    assert sum(1 for p in listed.values() if p == parent.pk) == 12
