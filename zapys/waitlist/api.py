"""Waiting list API (API.md "Visit checkout and cancellation policy": `POST /waitlist`,
`GET /waitlist?status=`), and taking an entry off the list."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from zapys.accounts.models import User
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.core.api import Pagination, referenced_object
from zapys.core.exceptions import NotFound
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import Date, Id
from zapys.schedule.models import Visit
from zapys.waitlist import selectors, services
from zapys.waitlist.models import Entry, Offer

router = Router(tags=["Waiting list"])

StatusName = Literal["waiting", "offered", "booked", "expired", "removed"]


class WaitlistEntryIn(Schema):
    client_id: Id
    service_id: Id | None = None
    staff_id: Id | None = None
    lesson_id: Id | None = None
    date_from: Date | None = None
    date_to: Date | None = None


class WaitlistEntryOut(Schema):
    id: int
    client_id: int
    service_id: int | None
    staff_id: int | None
    lesson_id: int | None
    date_from: date
    date_to: date
    status: str
    offer_url: str | None
    offer_expires_at: datetime | None
    created_at: datetime

    @staticmethod
    def _open_offer(obj: Entry) -> Offer | None:
        offer = selectors.latest_offer(obj)
        return offer if offer is not None and offer.status == Offer.Status.OPEN else None

    @staticmethod
    def resolve_offer_url(obj: Entry) -> str | None:
        offer = WaitlistEntryOut._open_offer(obj)
        return offer.offer_url if offer else None

    @staticmethod
    def resolve_offer_expires_at(obj: Entry) -> datetime | None:
        offer = WaitlistEntryOut._open_offer(obj)
        return offer.expires_at if offer else None


@router.post(
    "/waitlist", response={201: WaitlistEntryOut}, summary="Put a client on the waiting list"
)
def entry_create(request: HttpRequest, payload: WaitlistEntryIn) -> Any:
    client = referenced_object(Client, payload.client_id, field="client_id")
    if client.deleted_at is not None:
        raise NotFound(_("Unknown client."), field="client_id")
    lesson = referenced_object(Visit, payload.lesson_id, field="lesson_id")
    entry = services.entry_create(
        organization=request_organization(request),
        client=client,
        service=referenced_object(Service, payload.service_id, field="service_id"),
        staff=referenced_object(User, payload.staff_id, field="staff_id"),
        lesson=lesson,
        date_from=payload.date_from,
        date_to=payload.date_to,
        actor=request_actor(request),
    )
    return Status(201, selectors.entry_get(entry_id=entry.pk))


@router.get("/waitlist", response=list[WaitlistEntryOut], summary="List the waiting list")
@paginate(Pagination)
def entries_list(
    request: HttpRequest, status: StatusName | None = None, client_id: Id | None = None
) -> Any:
    return selectors.entry_list(selectors.EntryFilters(status=status or "", client_id=client_id))


@router.delete(
    "/waitlist/{entry_id}", response=WaitlistEntryOut, summary="Take a client off the list"
)
def entry_remove(request: HttpRequest, entry_id: Id) -> Any:
    entry = Entry.objects.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("Not found."))
    services.entry_remove(entry=entry, actor=request_actor(request))
    return selectors.entry_get(entry_id=entry.pk)
