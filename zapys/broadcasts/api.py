"""Broadcasts (API.md: `POST /broadcasts`, `GET /broadcasts/{id}`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from zapys.broadcasts import selectors, services
from zapys.broadcasts.models import Broadcast
from zapys.broadcasts.selectors import AudienceSpec
from zapys.core.exceptions import DomainError, NotFound
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import DateTime, Id, IdList, Line, Text

router = Router(tags=["Broadcasts"])

#: The service's field names → the body's names under "audience".
AUDIENCE_FIELDS = {"tags": "tags", "client_ids": "client_ids", "days": "days"}

Segment = Literal["active_membership", "negative_balance", "last_visit_before"]
TagName = Annotated[str, Line(64, min_length=1)]


class AudienceIn(Schema):
    """Exactly one of: `all`, `tags` (any of these tag names), `client_ids`, `segment`
    (`last_visit_before` needs `days`)."""

    all: bool = False
    tags: Annotated[list[TagName], Field(max_length=100)] | None = None
    client_ids: IdList | None = None
    segment: Segment | None = None
    days: Annotated[int, Field(ge=1, le=services.MAX_DAYS)] | None = None


class BroadcastIn(Schema):
    audience: AudienceIn
    channel: Literal["auto", "sms", "email", "telegram", "viber"] = "auto"
    text: Annotated[str, Text(services.MAX_TEXT)]
    send_at: DateTime | None = None


class BroadcastOut(Schema):
    id: int
    status: str
    total: int
    queued: int
    sent: int
    # What the test mode "sent" reached no one: never part of `sent`.
    test_mode: int
    failed: int
    skipped: int
    send_at: datetime


def _out(broadcast: Broadcast) -> dict:
    progress = selectors.broadcast_progress(broadcast)
    return {
        "id": broadcast.pk,
        "status": broadcast.status,
        "total": broadcast.total,
        "queued": broadcast.queued,
        "sent": progress.sent,
        "test_mode": progress.test_mode,
        "failed": progress.failed,
        "skipped": broadcast.skipped,
        "send_at": broadcast.send_at,
    }


def _spec(request: HttpRequest, audience: AudienceIn) -> AudienceSpec:
    given = [
        audience.all,
        audience.tags is not None,
        audience.client_ids is not None,
        audience.segment is not None,
    ]
    if sum(given) != 1:
        raise DomainError(
            _(
                "Give exactly one of audience.all, audience.tags, audience.client_ids, audience.segment."
            ),
            field="audience",
        )
    if audience.all:
        return AudienceSpec(Broadcast.Audience.ALL)
    if audience.tags is not None:
        ids = selectors.tag_ids_by_name(
            organization=request_organization(request), names=audience.tags
        )
        if ids is None:
            raise DomainError(_("Unknown tag."), field="audience.tags")
        return AudienceSpec(Broadcast.Audience.TAGS, tag_ids=tuple(ids))
    if audience.client_ids is not None:
        return AudienceSpec(Broadcast.Audience.CLIENTS, client_ids=tuple(audience.client_ids))
    return AudienceSpec(str(audience.segment), days=audience.days)


@router.post("/broadcasts", response={201: BroadcastOut}, summary="Create a broadcast")
def broadcast_create(request: HttpRequest, payload: BroadcastIn):
    try:
        broadcast = services.broadcast_create(
            organization=request_organization(request),
            spec=_spec(request, payload.audience),
            channel="" if payload.channel == "auto" else payload.channel,
            text=payload.text,
            send_at=payload.send_at,
            actor=request_actor(request),
        )
    except DomainError as exc:
        # The service names the form's fields; in this body they live under "audience".
        for error in exc.errors:
            if error.get("field") in AUDIENCE_FIELDS:
                error["field"] = f"audience.{AUDIENCE_FIELDS[error['field']]}"
        raise
    broadcast.refresh_from_db()
    return Status(201, _out(broadcast))


@router.get("/broadcasts/{broadcast_id}", response=BroadcastOut, summary="A broadcast's progress")
def broadcast_get(request: HttpRequest, broadcast_id: Id):
    broadcast = (
        Broadcast.objects.for_org(request_organization(request)).filter(pk=broadcast_id).first()
    )
    if broadcast is None:
        raise NotFound(_("Broadcast not found."))
    return _out(broadcast)
