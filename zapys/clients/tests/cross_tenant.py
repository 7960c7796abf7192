"""Cross-tenant cases for every clients/tags API operation (organization A vs B's data)."""

from datetime import date

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_clients import SYSTEM, make_client, make_tag
from zapys.clients.models import Client, ClientFreeze, Tag
from zapys.clients.services import client_delete, client_freeze


def _snapshot():
    return (
        list(
            Client.objects.order_by("id").values_list(
                "id", "name", "phone", "email", "status", "deleted_at"
            )
        ),
        list(Client.tags.through.objects.order_by("id").values_list("client_id", "tag_id")),
        list(Tag.objects.order_by("id").values_list("id", "name")),
        list(ClientFreeze.objects.order_by("id").values_list("id", "date_to", "ended_early_at")),
    )


def _client(victim):
    client = make_client(victim, "Foreign Client", tags=["secret"])
    return CaseInput(
        path_params={"client_id": client.pk},
        body={"name": "Stolen", "phone": "+380501112233"},
        foreign_ids=[client.pk],
        snapshot=_snapshot,
    )


def _deleted_client(victim):
    client = make_client(victim, "Foreign Deleted")
    client_delete(client=client, actor=SYSTEM)
    return CaseInput(path_params={"client_id": client.pk}, snapshot=_snapshot)


def _client_freeze(victim):
    data = _client(victim)
    data.body = {"date_from": "2026-01-01", "date_to": "2026-01-10", "reason": "x"}
    return data


def _frozen_client(victim):
    client = make_client(victim, "Foreign Frozen")
    client_freeze(client=client, date_from=date(2000, 1, 1), date_to=date(2999, 1, 1), actor=SYSTEM)
    return CaseInput(path_params={"client_id": client.pk}, snapshot=_snapshot)


def _client_search(victim):
    client = make_client(victim, "Foreign Searchable", tags=["shared-name"])
    # Searching by B's client's name or B's tag name must not reach B.
    return CaseInput(query={"search": "Foreign", "tag": ["shared-name"]}, foreign_ids=[client.pk])


def _create_with_foreign_tag(victim):
    tag = make_tag(victim, "foreign-tag")
    return CaseInput(
        body={"name": "New", "phone": "+380501112233", "tag_ids": [tag.pk]}, snapshot=_snapshot
    )


def _tags(victim):
    tag = make_tag(victim, "foreign-list-tag")
    return CaseInput(foreign_ids=[tag.pk])


def _tag_foreign_clients(victim):
    client = make_client(victim, "Foreign Taggable")
    return CaseInput(body={"name": "grab", "client_ids": [client.pk]}, snapshot=_snapshot)


CASES = [
    CrossTenantCase("post", "/api/v1/clients", _create_with_foreign_tag, kind="create"),
    CrossTenantCase("get", "/api/v1/clients", _client_search, kind="list"),
    CrossTenantCase("get", "/api/v1/clients/{client_id}", _client),
    CrossTenantCase("patch", "/api/v1/clients/{client_id}", _client),
    CrossTenantCase("delete", "/api/v1/clients/{client_id}", _client),
    CrossTenantCase("post", "/api/v1/clients/{client_id}/restore", _deleted_client),
    CrossTenantCase("post", "/api/v1/clients/{client_id}/freeze", _client_freeze),
    CrossTenantCase("post", "/api/v1/clients/{client_id}/unfreeze", _frozen_client),
    CrossTenantCase("get", "/api/v1/tags", _tags, kind="list"),
    CrossTenantCase("post", "/api/v1/tags", _tag_foreign_clients, kind="create"),
]
