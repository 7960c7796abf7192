"""Demo messaging: console transports (nothing leaves the machine), a few messages, notifications.

With the console transport every "sent" SMS and e-mail is readable in the outbox
(Messages in the menu): that is where a demo user finds the payment links sent to clients.
"""

from __future__ import annotations

import contextlib

from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from zapys.core.demo import DemoContext
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import TransportAccount
from zapys.messaging.providers import DEMO_ACCOUNT_NAME
from zapys.messaging.services import (
    event_setting_save,
    message_send,
    message_send_custom,
    staff_notify,
    transport_account_save,
)


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    # A system name (`TransportAccount.display_name` shows it in the page's language).
    with translation.override(org.language or None):
        account_name = translation.gettext(DEMO_ACCOUNT_NAME)
    for channel in ("sms", "email"):
        if not TransportAccount.objects.for_org(org).filter(channel=channel).exists():
            transport_account_save(
                organization=org,
                actor=ctx.actor,
                channel=channel,
                code="console",
                name=account_name,
                credentials={},
                priority=10,
            )
    event_setting_save(
        organization=org, event="", channels=["telegram", "viber", "sms", "email"], actor=ctx.actor
    )
    clients = list(ctx.data.get("clients") or [])[:4]
    for i, client in enumerate(clients[:2]):
        message_send(
            organization=org,
            event=TEST_MESSAGE,
            variables={},
            actor=ctx.actor,
            client=client,
            idempotency_key=f"demo:test:{i}",
        )
    for i, client in enumerate(clients[2:]):
        # A demo client without a phone or an e-mail simply gets nothing.
        with contextlib.suppress(DomainError):
            message_send_custom(
                client=client,
                text="Нагадуємо: завтра о 10:00 чекаємо вас у студії. Гарного дня!",
                actor=ctx.actor,
                idempotency_key=f"demo:custom:{i}",
            )
    # Deliver now (to the console) so the outbox shows sent messages without a worker.
    outbox.deliver_due(now=max(ctx.now, timezone.now()))

    staff_notify(
        organization=org,
        title=StoredText(gettext_noop("Welcome to Zapys!")),
        body=StoredText(
            gettext_noop(
                "This is a demo organization: SMS and e-mails are not sent, they are shown "
                "in Messages."
            )
        ),
        url="/messages/",
        level="success",
    )
    staff_notify(
        organization=org,
        title=StoredText(gettext_noop("New online booking")),
        body=StoredText(
            gettext_noop("A client booked a time and is waiting for the payment link.")
        ),
        level="info",
    )
