"""Reads of the send path: whether an event is on, the channel order, the active accounts
and the route (channel, address, account) a message takes (M4).

A read module beside `selectors.py` (which serves the staff pages and the API): these
reads are what the sending services and the deadline sweeps share, and they write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from zapys.core.exceptions import DomainError
from zapys.messaging.events import CLIENT_CHANNELS, EventType
from zapys.messaging.models import ClientMessenger, EventSetting, MessageTemplate, TransportAccount

if TYPE_CHECKING:
    from zapys.accounts.models import Organization
    from zapys.clients.models import Client


MESSENGERS = ("telegram", "viber")


@dataclass(frozen=True)
class Route:
    """Where a message goes: channel, address and the account that will carry it."""

    channel: str
    recipient: str
    account: TransportAccount


def event_settings_for(organization: Organization, event: str) -> dict[str, EventSetting]:
    """The event's own row and the organization's default row (event ""), in one query."""
    return {
        s.event: s for s in EventSetting.objects.for_org(organization).filter(event__in=[event, ""])
    }


def channel_order_from(rows: dict[str, EventSetting], event: str) -> list[str]:
    for key in (event, ""):
        if key in rows and rows[key].channel_list:
            return rows[key].channel_list
    return list(CLIENT_CHANNELS)


def event_enabled(*, organization: Organization, event: str) -> bool:
    setting = event_settings_for(organization, event).get(event)
    return setting is None or setting.is_enabled


def channel_order(*, organization: Organization, event: str) -> list[str]:
    """The event's own order, else the organization's default, else messengers→SMS→e-mail."""
    return channel_order_from(event_settings_for(organization, event), event)


def active_accounts(*, organization: Organization) -> dict[str, TransportAccount]:
    """The account that carries each channel: active, lowest priority first."""
    accounts: dict[str, TransportAccount] = {}
    for account in TransportAccount.objects.for_org(organization).filter(is_active=True):
        accounts.setdefault(account.channel, account)
    return accounts


def choose_route(
    *,
    organization: Organization,
    event: EventType,
    client: Client | None,
    recipient: str | None,
    channel: str | None,
    order: list[str] | None = None,
    templates: dict[str, MessageTemplate] | None = None,
) -> Route | None:
    """M4: the first channel in the configured order that can reach the recipient.

    `order` and `templates` may be passed in when the caller already loaded them.
    """
    accounts = active_accounts(organization=organization)
    if recipient:
        chosen = channel or ("email" if "@" in recipient else "sms")
        account = accounts.get(chosen)
        return Route(chosen, recipient.strip(), account) if account else None
    if client is None:
        raise DomainError(_("A message needs a client or a recipient."), field="recipient")
    if getattr(client, "deleted_at", None):
        return None
    if channel:
        order = [channel]
    elif order is None:
        order = channel_order(organization=organization, event=event.code)
    if templates is None:
        templates = {
            t.channel: t
            for t in MessageTemplate.objects.for_org(organization).filter(event=event.code)
        }
    messengers: dict[str, str] = {}
    if any(c in MESSENGERS for c in order):
        messengers = dict(
            ClientMessenger.objects.for_org(organization)
            .filter(client=client)
            .values_list("channel", "external_id")
        )
    return first_route(client, order, accounts, templates, messengers, event)


def first_route(
    client: Client,
    order: list[str],
    accounts: dict[str, TransportAccount],
    templates: dict[str, MessageTemplate],
    messengers: dict[str, str],
    event: EventType,
) -> Route | None:
    """The first channel of `order` with an active account, an enabled (or default) text
    and an address for this client."""
    for candidate in order:
        account = accounts.get(candidate)
        template = templates.get(candidate)
        if account is None or not has_text(
            event, candidate, template.is_enabled if template is not None else None
        ):
            continue
        address = _address(client, candidate, messengers)
        if address:
            return Route(candidate, address, account)
    return None


def has_text(event: EventType, channel: str, template_enabled: bool | None) -> bool:
    """Whether the event goes on the channel at all: the organization's own text, switched
    on (`template_enabled`; None when it wrote none), else the event's default — a messenger
    without a default of its own takes the SMS text (`EventType.default_text`). The route
    skips a channel without text; the settings pages say it the same way."""
    if template_enabled is not None:
        return template_enabled
    return bool(event.default_text(channel))


def _address(client: Client, channel: str, messengers: dict[str, str]) -> str:
    if channel in MESSENGERS:
        return messengers.get(channel, "")
    if channel == "sms":
        return client.phone or ""
    if channel == "email":
        return client.email or ""
    return ""
