"""Demo: the SMS price, and one finished broadcast to a tag with its delivery log (sent to
the console transports the messaging demo set up)."""

from __future__ import annotations

from django.utils import timezone

from zapys.broadcasts.selectors import AudienceSpec
from zapys.broadcasts.services import (
    broadcast_create,
    broadcast_finish,
    broadcast_run,
    broadcast_settings_save,
)
from zapys.clients.phones import display_phone
from zapys.core.demo import DemoContext
from zapys.core.exceptions import DomainError
from zapys.messaging import outbox


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    broadcast_settings_save(organization=org, sms_price=150, actor=ctx.actor)
    tags = ctx.data.get("tags") or []
    if not tags:
        return
    # the salon's phone in the text: «Запис за телефоном» with no number was a dead end
    phone = display_phone(org.phone)
    text = (
        f"{{client.first_name}}, до кінця місяця знижка 20% на всі послуги! "
        f"Запис за телефоном {phone}."
        if org.language == "uk"
        else f"{{client.first_name}}, 20% off every service until the end of the month! "
        f"Call us to book: {phone}."
    )
    try:
        broadcast = broadcast_create(
            organization=org,
            spec=AudienceSpec("tags", tag_ids=(tags[0].pk,)),
            channel="",
            text=text,
            send_at=None,
            actor=ctx.actor,
            now=ctx.now,
        )
    except DomainError:
        return  # no client of that tag can be reached: nothing to show
    # The demo loads in one transaction: run the send now instead of after the commit.
    broadcast_run(broadcast_id=broadcast.pk, now=ctx.now)
    outbox.deliver_due(now=max(ctx.now, timezone.now()))
    broadcast_finish(broadcast_id=broadcast.pk, now=ctx.now)
