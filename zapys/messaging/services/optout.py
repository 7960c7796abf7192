"""Broadcast opt-outs (M5): a client says "no more broadcasts", on one channel or on all.

Written by the bot's STOP reply, the unsubscribe link in broadcast texts and staff;
broadcasts read them with `zapys.messaging.selectors.opted_out_channels` when they pick
recipients. Service messages (reminders, payment links) are not affected.

The unsubscribe link's token is made in `zapys.messaging.unsubscribe`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError
from zapys.messaging.events import CHANNELS
from zapys.messaging.models import MarketingOptOut
from zapys.messaging.unsubscribe import unsubscribe_token, unsubscribe_url

__all__ = ["client_opt_out_set", "unsubscribe_token", "unsubscribe_url"]

if TYPE_CHECKING:
    from zapys.clients.models import Client


@transaction.atomic
def client_opt_out_set(
    *,
    client: Client,
    channel: str | None,
    opted_out: bool,
    actor: Actor,
    source: str = MarketingOptOut.Source.STAFF,
) -> bool:
    """Opt the client out of broadcasts (`opted_out=True`) or back in.

    `channel=None` means every channel: opting out writes the "all channels" row; opting
    in removes every row of the client. Returns whether anything changed (a repeated STOP
    or a second click on the link changes nothing and writes no audit row).
    """
    if channel is not None and channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if source not in MarketingOptOut.Source.values:
        source = MarketingOptOut.Source.STAFF
    rows = MarketingOptOut.objects.for_org(client.organization).filter(client=client)
    if opted_out:
        _row, changed = rows.get_or_create(
            organization=client.organization,
            client=client,
            channel=channel or "",
            defaults={"source": source},
        )
    else:
        if channel is not None:
            rows = rows.filter(channel=channel)
        deleted, _by_model = rows.delete()
        changed = deleted > 0
    if changed:
        audit_record(
            organization=client.organization,
            actor=actor,
            action="client.broadcast_opt_out" if opted_out else "client.broadcast_opt_in",
            obj=client,
            changes={"channel": channel or ""},
        )
    return changed
