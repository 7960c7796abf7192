"""Messaging API: the outbox, custom messages to a client, templates, staff notifications."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from zapys.clients.selectors import client_get
from zapys.core.api import Pagination, request_actor
from zapys.core.exceptions import NotFound
from zapys.core.schema_types import Id, Line, Text
from zapys.messaging import selectors, services
from zapys.messaging.events import CHANNELS, UnknownEvent, all_events, get_event
from zapys.messaging.models import Message, StaffNotification

router = Router(tags=["Messaging"])

ChannelName = Literal["sms", "email", "telegram", "viber"]
ChannelFilter = Literal["sms", "email", "telegram", "viber", ""]
MessageStatus = Literal["queued", "sending", "sent", "delivered", "failed", ""]
assert set(ChannelName.__args__) == set(CHANNELS)  # type: ignore[attr-defined]
assert set(ChannelFilter.__args__) == {*CHANNELS, ""}  # type: ignore[attr-defined]
assert set(MessageStatus.__args__) == {*Message.Status.values, ""}  # type: ignore[attr-defined]
#: An event code in a path or a filter (unknown ones are a 404 or an empty list).
EventCode = Annotated[str, Line(100)]


class MessageOut(Schema):
    id: int
    client_id: int | None
    recipient: str
    channel: str
    transport: str
    event: str
    subject: str
    text: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    provider_message_id: str
    related_type: str
    related_id: str
    created_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_transport(obj: Message) -> str:
        return obj.transport_code


class ClientMessageIn(Schema):
    text: Annotated[str, Text()]
    channel: ChannelName | None = None


class TemplateOut(Schema):
    event: str
    event_label: str
    channel: str
    text: str
    subject: str
    enabled: bool
    custom: bool
    variables: list[str]


class TemplateIn(Schema):
    text: Annotated[str, Text()]
    subject: Annotated[str, Line(200)] = ""
    enabled: bool = True


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    url: str
    level: str
    related_type: str
    related_id: str
    for_me_only: bool
    created_at: datetime
    read_at: datetime | None

    # In the request's language (issue 17), like the page; old rows as they were written.
    @staticmethod
    def resolve_title(obj: StaffNotification) -> str:
        return obj.shown_title

    @staticmethod
    def resolve_body(obj: StaffNotification) -> str:
        return obj.shown_body

    @staticmethod
    def resolve_for_me_only(obj: StaffNotification) -> bool:
        return obj.recipient_id is not None


class MarkedOut(Schema):
    marked: int


@router.get("/messages", response=list[MessageOut], summary="List outbox messages")
@paginate(Pagination)
def messages_list(
    request: HttpRequest,
    client_id: Id | None = None,
    status: MessageStatus | None = None,
    channel: ChannelFilter | None = None,
    event: EventCode | None = None,
):
    return selectors.message_list(
        organization=request.organization,  # type: ignore[attr-defined]
        client_id=client_id,
        status=status,
        channel=channel,
        event=event,
    )


@router.get("/messages/{message_id}", response=MessageOut, summary="Get a message")
def messages_get(request: HttpRequest, message_id: Id):
    return selectors.message_get(organization=request.organization, message_id=message_id)  # type: ignore[attr-defined]


@router.post(
    "/clients/{client_id}/messages",
    response={201: MessageOut},
    summary="Send a custom message to a client",
)
def client_message_send(request: HttpRequest, client_id: Id, payload: ClientMessageIn):
    client = client_get(client_id=client_id)
    message = services.message_send_custom(
        client=client, text=payload.text, channel=payload.channel, actor=request_actor(request)
    )
    return 201, message


def _template_out(organization, event: str, channel: str) -> dict:
    resolved = selectors.template_resolve(organization=organization, event=event, channel=channel)
    return {
        "event": event,
        "event_label": str(resolved.event.label),
        "channel": channel,
        "text": resolved.text,
        "subject": resolved.subject,
        "enabled": resolved.is_enabled,
        "custom": resolved.is_custom,
        "variables": resolved.event.variable_names,
    }


@router.get("/message-templates", response=list[TemplateOut], summary="List message templates")
@paginate(Pagination)
def templates_list(request: HttpRequest, event: EventCode | None = None):
    organization = request.organization  # type: ignore[attr-defined]
    return [
        _template_out(organization, e.code, channel)
        for e in all_events(audience="client")
        if event is None or e.code == event
        for channel in CHANNELS
    ]


def _check_event_channel(event: str, channel: str) -> None:
    try:
        get_event(event)
    except UnknownEvent:
        raise NotFound(_("Unknown event.")) from None
    if channel not in CHANNELS:
        raise NotFound(_("Unknown channel."))


@router.get("/message-templates/{event}/{channel}", response=TemplateOut, summary="Get a template")
def templates_get(request: HttpRequest, event: EventCode, channel: Annotated[str, Line(16)]):
    _check_event_channel(event, channel)
    return _template_out(request.organization, event, channel)  # type: ignore[attr-defined]


@router.put(
    "/message-templates/{event}/{channel}",
    response=TemplateOut,
    summary="Set the organization's text for an event and channel",
)
def templates_put(
    request: HttpRequest,
    event: EventCode,
    channel: Annotated[str, Line(16)],
    payload: TemplateIn,
):
    _check_event_channel(event, channel)
    organization = request.organization  # type: ignore[attr-defined]
    services.template_save(
        organization=organization,
        event=event,
        channel=channel,
        text=payload.text,
        subject=payload.subject,
        is_enabled=payload.enabled,
        actor=request_actor(request),
    )
    return _template_out(organization, event, channel)


@router.get("/notifications", response=list[NotificationOut], summary="List staff notifications")
@paginate(Pagination)
def notifications_list(request: HttpRequest, unread: bool = False):
    qs = selectors.notifications_for(organization=request.organization, user=request.user)  # type: ignore[attr-defined,arg-type]
    return qs.filter(read_at__isnull=True) if unread else qs


@router.post(
    "/notifications/{notification_id}/read",
    response=NotificationOut,
    summary="Mark a notification read",
)
def notifications_read(request: HttpRequest, notification_id: Id):
    notification = selectors.notifications_for(
        organization=request.organization,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
    ).get(pk=notification_id)
    return services.notification_mark_read(notification=notification, user=request.user)  # type: ignore[arg-type]


@router.post("/notifications/read-all", response=MarkedOut, summary="Mark all notifications read")
def notifications_read_all(request: HttpRequest):
    marked = services.notifications_mark_all_read(
        organization=request.organization,  # type: ignore[attr-defined]
        user=request.user,  # type: ignore[arg-type]
    )
    return {"marked": marked}
