"""Messaging accounts and their bots (API.md "Client cabinet, bots, broadcasts"):
`POST/GET /messaging-accounts`, `POST /messaging-accounts/{id}/webhook`.

A Telegram or Viber account is also the organization's bot; its `webhook_url` is where the
messenger delivers updates. Credentials are never returned.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from zapys.bots import selectors, services
from zapys.core.api import Pagination
from zapys.core.exceptions import DomainError, NotFound
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import Id, Line
from zapys.messaging.models import TransportAccount
from zapys.messaging.services import transport_account_save

router = Router(tags=["Messaging"])

#: The channel each provider serves ("console" takes the one asked for); "smtp" is e-mail.
TRANSPORT_CHANNELS = {
    "telegram": "telegram",
    "viber": "viber",
    "turbosms": "sms",
    "twilio": "sms",
    "email": "email",
    "smtp": "email",
}


class MessagingAccountIn(Schema):
    transport: Annotated[str, Line(32, min_length=1)]
    credentials: dict[str, Annotated[str, Line(500)]] = Field(default_factory=dict)
    base_url: Annotated[str, Line(200)] = ""
    channel: Annotated[str, Line(16)] = ""
    name: Annotated[str, Line(100)] = ""
    priority: Annotated[int, Field(ge=0, le=32767)] = 10


class MessagingAccountOut(Schema):
    id: int
    transport: str
    channel: str
    name: str
    base_url: str
    is_active: bool
    priority: int
    webhook_url: str | None = None

    @staticmethod
    def resolve_transport(obj: TransportAccount) -> str:
        return obj.code

    @staticmethod
    def resolve_webhook_url(obj: TransportAccount) -> str | None:
        is_bot = obj.code in selectors.BOT_CODES and obj.channel == obj.code
        return selectors.webhook_url(obj) if is_bot else None


class WebhookOut(Schema):
    webhook_url: str


@router.get(
    "/messaging-accounts",
    response=list[MessagingAccountOut],
    summary="List messaging accounts (bots with their webhook URL)",
)
@paginate(Pagination)
def messaging_accounts_list(request: HttpRequest):
    return TransportAccount.objects.for_org(request_organization(request)).order_by("id")


@router.post(
    "/messaging-accounts",
    response={201: MessagingAccountOut},
    summary="Add a messaging account (a Telegram or Viber account is the bot)",
)
def messaging_account_create(request: HttpRequest, payload: MessagingAccountIn):
    code = "email" if payload.transport == "smtp" else payload.transport
    channel = TRANSPORT_CHANNELS.get(payload.transport) or payload.channel
    if not channel:
        raise DomainError(_("Unknown transport."), field="transport")
    account = transport_account_save(
        organization=request_organization(request),
        actor=request_actor(request),
        channel=channel,
        code=code,
        credentials=payload.credentials,
        base_url=payload.base_url,
        name=payload.name,
        priority=payload.priority,
    )
    return Status(201, account)


@router.post(
    "/messaging-accounts/{account_id}/webhook",
    response=WebhookOut,
    summary="Register the bot's webhook with Telegram or Viber",
)
def messaging_account_webhook(request: HttpRequest, account_id: Id):
    organization = request_organization(request)
    account = TransportAccount.objects.for_org(organization).filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("Messaging account not found."))
    url = services.bot_webhook_register(account=account, actor=request_actor(request))
    return {"webhook_url": url}
