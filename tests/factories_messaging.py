"""Builders for messaging tests (and for other apps that want a message to go out).

account = make_transport_account(org)                 # console transport for SMS
account = make_transport_account(org, "email")        # console transport for e-mail
make_transport_account(org, "sms", "turbosms", {"token": ..., "sender": ...},
                       base_url=fake.base_url)
"""

from __future__ import annotations

from typing import Any

from tests.factories import SYSTEM
from zapys.accounts.models import Organization
from zapys.clients.models import Client
from zapys.messaging.models import ClientMessenger, TransportAccount
from zapys.messaging.services import client_messenger_link, transport_account_save


def make_transport_account(
    org: Organization,
    channel: str = "sms",
    code: str = "console",
    credentials: dict[str, Any] | None = None,
    *,
    base_url: str = "",
    priority: int = 10,
    is_active: bool = True,
) -> TransportAccount:
    return transport_account_save(
        organization=org,
        actor=SYSTEM,
        channel=channel,
        code=code,
        credentials=credentials or {},
        base_url=base_url,
        priority=priority,
        is_active=is_active,
    )


def make_console_accounts(org: Organization) -> list[TransportAccount]:
    """Console transports for every channel: every message "goes out" to the log."""
    return [
        make_transport_account(org, channel) for channel in ("sms", "email", "telegram", "viber")
    ]


def make_client(
    org: Organization, name: str = "Шевченко Олена", phone: str = "+380501234567", email: str = ""
) -> Client:
    return Client.objects.create(organization=org, name=name, phone=phone, email=email)


def link_messenger(
    client: Client, channel: str = "telegram", external_id: str = "4242"
) -> ClientMessenger:
    return client_messenger_link(
        client=client, channel=channel, external_id=external_id, actor=SYSTEM
    )
