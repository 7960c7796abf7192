"""Demo bot: the organization's Telegram bot in test mode (nothing leaves the machine),
and two clients who have already shared their phone with it, so their messages go to
Telegram (readable in Messages) and the audit log shows the links.

A real bot needs a token from @BotFather: add a Telegram account in the messaging
settings and press "Connect the bot" (or `manage.py bots_webhook`).
"""

from __future__ import annotations

from django.utils import translation

from zapys.bots.dialog import Incoming
from zapys.bots.services import bot_update_handle
from zapys.core.demo import DemoContext
from zapys.messaging.models import TransportAccount
from zapys.messaging.providers import DEMO_BOT_NAME
from zapys.messaging.services import transport_account_save


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    account = (
        TransportAccount.objects.for_org(org).filter(channel="telegram").order_by("id").first()
    )
    if account is None:
        # A system name (`TransportAccount.display_name` shows it in the page's language).
        with translation.override(org.language or None):
            name = translation.gettext(DEMO_BOT_NAME)
        account = transport_account_save(
            organization=org,
            actor=ctx.actor,
            channel="telegram",
            code="console",
            name=name,
            credentials={},
            priority=10,
        )
    clients = [c for c in list(ctx.data.get("clients") or []) if c.phone][:2]
    for n, client in enumerate(clients, start=1):
        chat_id = str(900_000_000 + n)
        bot_update_handle(
            account=account,
            incoming=Incoming(key=f"demo-{n}-start", chat_id=chat_id, text="/start"),
        )
        bot_update_handle(
            account=account,
            incoming=Incoming(
                key=f"demo-{n}-contact",
                chat_id=chat_id,
                name=client.name,
                phone=client.phone,
                own_contact=True,
            ),
        )
        # A family on one phone is linked whole; this client becomes the card commands act on.
        bot_update_handle(
            account=account,
            incoming=Incoming(key=f"demo-{n}-choice", chat_id=chat_id, data=f"client:{client.pk}"),
        )
