"""Reads of the bot: the account a webhook belongs to, the client a chat is linked to, the
clients a phone belongs to, and the answers to balance / next visit / pay."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac

from zapys.accounts.models import Branch
from zapys.clients.hooks import client_balance
from zapys.clients.models import Client
from zapys.core.crypto import DecryptionError, decrypt_json
from zapys.core.tenancy import unscoped
from zapys.messaging.models import ClientMessenger, TransportAccount
from zapys.payments.payables import Payable, payables_for_clients
from zapys.schedule.models import Attendance, Visit

if TYPE_CHECKING:
    from zapys.accounts.models import Organization

BOT_CODES = ("telegram", "viber")
_SECRET_SALT = "zapys.bots.telegram.secret_token"


def bot_account(account_id: int, code: str) -> TransportAccount | None:
    """The active bot account a webhook URL names (any organization: the URL is public)."""
    with unscoped():
        return (
            TransportAccount.objects.select_related("organization")
            .filter(pk=account_id, code=code, channel=code, is_active=True)
            .first()
        )


def bot_credentials(account: TransportAccount) -> dict[str, str]:
    try:
        return {k: str(v) for k, v in decrypt_json(account.credentials_encrypted).items()}
    except DecryptionError:
        return {}


def telegram_secret_token(account: TransportAccount, credentials: dict[str, str]) -> str:
    """The `secret_token` given to setWebhook and expected back in every update's
    `X-Telegram-Bot-Api-Secret-Token`: derived from SECRET_KEY, the account and its bot
    token (a new token needs a new registration anyway), never stored. 64 hex characters,
    within Telegram's 1–256 of `A-Za-z0-9_-`."""
    value = f"{account.pk}:{credentials.get('token', '')}"
    return salted_hmac(_SECRET_SALT, value, algorithm="sha256").hexdigest()


def webhook_url(account: TransportAccount) -> str:
    """Where Telegram or Viber deliver the bot's updates (on ZAPYS_PUBLIC_URL)."""
    path = reverse(f"bots:{account.code}_webhook", kwargs={"account_id": account.pk})
    return f"{str(settings.ZAPYS_PUBLIC_URL).rstrip('/')}{path}"


def cabinet_url(client: Client) -> str:
    """The client's cabinet link (K1)."""
    return client.cabinet_url


def linked_clients(organization: Organization, channel: str, chat_id: str) -> list[Client]:
    """The (not deleted) clients this chat is linked to: one, or a whole family (one query)."""
    return [
        link.client
        for link in ClientMessenger.objects.for_org(organization)
        .filter(channel=channel, external_id=chat_id, client__deleted_at__isnull=True)
        .select_related("client")
        .order_by("client__name", "client_id")
    ]


def linked_client(
    organization: Organization, channel: str, chat_id: str, current_id: int | None = None
) -> Client | None:
    """The card the chat's commands act on: the chosen one (`current_id`) while it is still
    linked to this chat, else the first linked client (one query)."""
    clients = linked_clients(organization, channel, chat_id)
    for client in clients:
        if client.pk == current_id:
            return client
    return clients[0] if clients else None


def clients_with_phone(organization: Organization, phone: str) -> list[Client]:
    """The organization's clients with this E.164 phone (a family may share one)."""
    if not phone:
        return []
    return list(Client.objects.for_org(organization).alive().filter(phone=phone).order_by("name"))


def next_visit(client: Client, *, now: datetime | None = None) -> Visit | None:
    """The client's next visit that is not cancelled: an appointment or a group lesson the
    client is on (attendance rows, as the cabinet reads them), in one query."""
    attendance = (
        Attendance.objects.for_org(client.organization)
        .filter(
            client=client,
            state=Attendance.State.PLANNED,
            visit__starts_at__gte=now or timezone.now(),
            visit__blocks_time=True,
        )
        .select_related(
            "visit__service",
            "visit__group",
            "visit__subject",
            "visit__lesson_type",
            "visit__branch",
            "visit__staff",
            "visit__organization",
        )
        .order_by("visit__starts_at", "visit_id")
        .first()
    )
    return attendance.visit if attendance is not None else None


def visit_when(visit: Visit) -> str:
    """The visit's start in the organization's time zone and the active language."""
    local = timezone.localtime(visit.starts_at, ZoneInfo(visit.organization.time_zone))
    return formats.date_format(local, "j E Y, H:i")


def balance_of(client: Client) -> int:
    return client_balance(client)


def open_payables(client: Client) -> list[Payable]:
    return payables_for_clients(client.organization, [client.pk]).get(client.pk, [])


def business_phone(organization: Organization) -> str:
    """The phone a stranger is told to call: the organization's, else its first branch's."""
    if organization.phone:
        return organization.phone
    branch = (
        Branch.objects.for_org(organization)
        .filter(is_active=True)
        .exclude(phone="")
        .order_by("id")
        .first()
    )
    return branch.phone if branch is not None else ""
