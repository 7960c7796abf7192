"""Clients and tags over the REST API (API.md "Clients and ledger", the client part).

Handlers parse input and call one service; `DomainError`s become the uniform error body.
A soft-deleted client is left out of lists and search, and can still be read by id
(`deleted: true`) and restored.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from zapys.clients import payers, selectors, services
from zapys.clients.models import Client, ClientFreeze, Tag
from zapys.core.api import request_actor
from zapys.core.exceptions import DomainError, NotFound
from zapys.core.schema_types import (
    ColorOrEmpty,
    Count,
    Date,
    Id,
    IdList,
    Line,
    Note,
    Search,
    omittable,
)

router = Router(tags=["Clients"])


# --- Schemas ------------------------------------------------------------------------------


class FreezeOut(Schema):
    id: int
    date_from: date
    date_to: date
    reason: str
    ended_early_at: date | None = Field(
        description="the day the client was back (the freeze ended the day before)"
    )
    cancelled: bool = Field(description="ended before it started: no day was frozen")

    @staticmethod
    def resolve_cancelled(obj: ClientFreeze) -> bool:
        return obj.is_cancelled


class ClientOut(Schema):
    id: int
    name: str = Field(description='the display name, "Last First Middle"')
    last_name: str
    first_name: str
    middle_name: str
    first_name_vocative: str = Field(
        description="how Ukrainian messages address the client (the vocative, «Оксано»), as "
        "staff wrote it; empty: formed from first_name by the rules"
    )
    phone: str = Field(description="E.164, e.g. +380671234567; empty when unknown")
    email: str
    birthday: date | None
    note: str
    client_type: str = Field(description='"individual" or "legal_entity"')
    status: str = Field(description='"active", "inactive" or "lead"')
    tags: list[str]
    balance: int = Field(description="kopecks: active debits − active credits")
    frozen: bool = Field(description="a freeze is in force today")
    deleted: bool
    cabinet_url: str = Field(description="the client's cabinet link (K1)")
    payer_id: int | None = Field(
        description="another client who pays for this one (invoices and their messages go "
        "to the payer, X6); null: the client pays"
    )
    created_at: datetime


class ClientDetailOut(ClientOut):
    freeze: FreezeOut | None = Field(None, description="the current or next freeze")
    warnings: list[str] = Field(
        default_factory=list, description="non-blocking remarks, e.g. a phone another client has"
    )


class ClientListOut(Schema):
    items: list[ClientOut]
    count: int


# Names, tags and choices are checked by the service, which reports every invalid field at
# once; the edge only bounds them (length, control characters).
ClientType = Annotated[str, Line(20), Field(description='"individual" or "legal_entity"')]
ClientStatus = Annotated[str, Line(20), Field(description='"active", "inactive" or "lead"')]
ClientName = Annotated[str, Line(200)]
NamePart = Annotated[str, Line(100)]
#: What people type as a phone ("+38 (067) 123-45-67"); the service normalizes it to E.164.
Phone = Annotated[str, Line(50)]
Email = Annotated[str, Line(254)]
TagName = Annotated[str, Line(64)]
TagNames = Annotated[list[TagName], Field(max_length=100)]


class ClientCreateIn(Schema):
    """The name in parts (`last_name`, `first_name`, `middle_name`), or as one line in `name`
    (split into parts; a legal entity has only `name`)."""

    name: ClientName = ""
    last_name: NamePart = ""
    first_name: NamePart = ""
    middle_name: NamePart = ""
    first_name_vocative: NamePart = Field(
        "", description="the vocative Ukrainian messages use; empty: formed from first_name"
    )
    phone: Phone
    email: Email = ""
    birthday: Date | None = None
    note: Note = ""
    client_type: ClientType = Client.Type.INDIVIDUAL
    status: ClientStatus = Client.Status.ACTIVE
    tags: TagNames = Field(default_factory=list, description="names; unknown ones are created")
    tag_ids: IdList = Field(default_factory=list, description="existing tags by id")
    payer_id: Id | None = Field(
        None, description="another client of the organization who pays for this one"
    )


class ClientPatchIn(Schema):
    """Fields left out keep their value; only `birthday` may be null (no birthday)."""

    name: ClientName = omittable("one line, split into parts; or give the parts")
    last_name: NamePart = omittable()
    first_name: NamePart = omittable()
    middle_name: NamePart = omittable()
    first_name_vocative: NamePart = omittable(
        "empty: formed from first_name; a new first_name without it clears it"
    )
    phone: Phone = omittable()
    email: Email = omittable()
    birthday: Date | None = None
    note: Note = omittable()
    client_type: ClientType = omittable()
    status: ClientStatus = omittable()
    tags: TagNames = omittable("replaces the client's tags")
    payer_id: Id | None = Field(
        None, description="another client who pays for this one; null: the client pays"
    )


class FreezeIn(Schema):
    date_from: Date
    date_to: Date
    reason: Annotated[str, Line(200)] = ""


class TagOut(Schema):
    id: int
    name: str
    color: str


class TagListOut(Schema):
    items: list[TagOut]
    count: int


class TagCreateIn(Schema):
    name: Annotated[str, Line(64, min_length=1)]
    color: ColorOrEmpty = Field("", description="empty: one is chosen from the name")
    client_ids: IdList = Field(
        default_factory=list, description="clients to tag right away (bulk tagging)"
    )


class ListQuery(Schema):
    search: Search = ""
    tag: TagNames = Field(default_factory=list, description="tag names; any of them matches")
    deleted: bool = Field(False, description="list soft-deleted clients instead")
    limit: int = Field(50, ge=1, le=500)
    offset: Count = 0


# --- Helpers ------------------------------------------------------------------------------


def _out(
    client: Client, *, balance: int, frozen: bool, payer_id: int | None = None
) -> dict[str, Any]:
    return {
        "id": client.pk,
        "name": client.name,
        "last_name": client.last_name,
        "first_name": client.first_name,
        "middle_name": client.middle_name,
        "first_name_vocative": client.first_name_vocative,
        "phone": client.phone,
        "email": client.email,
        "birthday": client.birthday,
        "note": client.note,
        "client_type": client.client_type,
        "status": client.status,
        "tags": [t.name for t in client.tags.all()],
        "balance": balance,
        "frozen": frozen,
        "deleted": client.deleted_at is not None,
        "cabinet_url": client.cabinet_url,
        "payer_id": payer_id,
        "created_at": client.created_at,
    }


def _detail(client: Client, *, warnings: bool = False) -> dict[str, Any]:
    today = selectors.org_today(client.organization)
    freeze: ClientFreeze | None = selectors.client_current_freeze(client, today)
    data = _out(
        client,
        balance=selectors.client_balance(client),
        frozen=freeze is not None and freeze.date_from <= today,
        payer_id=payers.payers_for(client.organization, [client.pk]).get(client.pk),
    )
    data["freeze"] = freeze
    data["warnings"] = selectors.client_warnings(client) if warnings else []
    return data


def _client(client_id: int, *, include_deleted: bool = False) -> Client:
    return selectors.client_get(client_id=client_id, include_deleted=include_deleted)


# --- Clients ------------------------------------------------------------------------------


@router.post("/clients", response={201: ClientDetailOut}, summary="Create a client")
def clients_create(request: HttpRequest, payload: ClientCreateIn):
    data = payload.dict()
    tag_ids = data.pop("tag_ids")
    payer_id = data.pop("payer_id")
    tag_objects = list(Tag.objects.filter(pk__in=tag_ids)) if tag_ids else []
    if len(tag_objects) != len(set(tag_ids)):
        raise DomainError(_("Unknown tag id."), field="tag_ids")
    # one transaction: a refused payer creates no client
    with transaction.atomic():
        client = services.client_create(
            organization=request.organization,  # type: ignore[attr-defined]
            actor=request_actor(request),
            tag_objects=tag_objects,
            **data,
        )
        if payer_id is not None:
            payers.payer_set(client=client, payer_id=payer_id, actor=request_actor(request))
    return Status(201, _detail(client, warnings=True))


@router.get("/clients", response=ClientListOut, summary="List clients (search, tags)")
def clients_list(request: HttpRequest, filters: Query[ListQuery]):
    qs = selectors.client_list(
        search=filters.search, tag_names=filters.tag, deleted=filters.deleted
    )
    count = qs.count()
    clients = list(qs[filters.offset : filters.offset + filters.limit])
    balances = selectors.balances_for([c.pk for c in clients])
    payer_ids = payers.payers_for(request.organization, [c.pk for c in clients])  # type: ignore[attr-defined]
    items = [
        _out(
            c,
            balance=balances.get(c.pk, 0),
            frozen=bool(getattr(c, "is_frozen", False)),
            payer_id=payer_ids.get(c.pk),
        )
        for c in clients
    ]
    return {"items": items, "count": count}


@router.get("/clients/{client_id}", response=ClientDetailOut, summary="Get a client")
def clients_get(request: HttpRequest, client_id: Id):
    return _detail(_client(client_id, include_deleted=True))


@router.patch("/clients/{client_id}", response=ClientDetailOut, summary="Update a client")
def clients_update(request: HttpRequest, client_id: Id, payload: ClientPatchIn):
    client = _client(client_id, include_deleted=True)
    fields = payload.dict(exclude_unset=True)
    setting_payer = "payer_id" in fields
    payer_id = fields.pop("payer_id", None)
    # one transaction: a refused payer leaves the rest of the client unchanged too
    with transaction.atomic():
        client = services.client_update(client=client, actor=request_actor(request), **fields)
        if setting_payer:
            payers.payer_set(client=client, payer_id=payer_id, actor=request_actor(request))
    return _detail(client, warnings=True)


@router.delete("/clients/{client_id}", response={204: None}, summary="Delete a client (soft)")
def clients_delete(request: HttpRequest, client_id: Id):
    client = _client(client_id, include_deleted=True)
    services.client_delete(client=client, actor=request_actor(request))
    return Status(204, None)


@router.post(
    "/clients/{client_id}/restore", response=ClientDetailOut, summary="Restore a deleted client"
)
def clients_restore(request: HttpRequest, client_id: Id):
    client = _client(client_id, include_deleted=True)
    services.client_restore(client=client, actor=request_actor(request))
    return _detail(client)


@router.post(
    "/clients/{client_id}/freeze",
    response=ClientDetailOut,
    summary="Freeze a client (memberships are extended by the frozen days)",
)
def clients_freeze(request: HttpRequest, client_id: Id, payload: FreezeIn):
    client = _client(client_id, include_deleted=True)
    services.client_freeze(client=client, actor=request_actor(request), **payload.dict())
    return _detail(client)


@router.post(
    "/clients/{client_id}/unfreeze",
    response=ClientDetailOut,
    summary="End a client's freeze early (unused days are taken back)",
)
def clients_unfreeze(request: HttpRequest, client_id: Id):
    client = _client(client_id, include_deleted=True)
    services.client_unfreeze(client=client, actor=request_actor(request))
    return _detail(client)


class CabinetLinkOut(Schema):
    cabinet_url: str


@router.post(
    "/clients/{client_id}/cabinet-link",
    response=CabinetLinkOut,
    summary="Regenerate the client's cabinet link (the old one stops working)",
)
def clients_cabinet_link(request: HttpRequest, client_id: Id):
    client = _client(client_id)
    services.client_cabinet_link_regenerate(client=client, actor=request_actor(request))
    return {"cabinet_url": client.cabinet_url}


# --- Tags ---------------------------------------------------------------------------------


@router.get("/tags", response=TagListOut, summary="List tags")
def tags_list(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=500),  # type: ignore[type-arg]
    offset: Count = 0,
):
    qs = selectors.tag_list()
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.post("/tags", response={201: TagOut}, summary="Create a tag (optionally tag clients)")
def tags_create(request: HttpRequest, payload: TagCreateIn):
    clients = list(Client.objects.alive().filter(pk__in=payload.client_ids))
    if len(clients) != len(set(payload.client_ids)):
        raise NotFound(_("Client not found."), field="client_ids")
    tag = services.tag_create(
        organization=request.organization,  # type: ignore[attr-defined]
        name=payload.name,
        color=payload.color,
        clients=clients,
        actor=request_actor(request),
    )
    return Status(201, tag)
