"""Demo messaging: console transports (nothing leaves the machine), a few messages, notifications
(the welcome, and the one a client's online booking brings).

With the console transport every "sent" SMS and e-mail is readable in the outbox
(Messages in the menu): that is where a demo user finds the payment links sent to clients.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from zapys.catalog.demo import service_fits
from zapys.clients.models import Client
from zapys.clients.phones import display_phone
from zapys.core.demo import DemoContext
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import organization_zone
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import TransportAccount
from zapys.messaging.providers import DEMO_ACCOUNT_NAME
from zapys.messaging.schedule_hooks import online_booking_staff_notify
from zapys.messaging.services import (
    event_setting_save,
    message_send,
    message_send_custom,
    staff_notify,
    transport_account_save,
)
from zapys.schedule.selectors import free_slots
from zapys.schedule.services import online_booking_create


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
                text=(
                    "Дякуємо, що обрали салон «Зоряна»! Записатися знову можна онлайн "
                    f"або за телефоном {display_phone(org.phone)}."
                ),
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
    _online_booking(ctx)


#: A documentation address (RFC 5737): the demo's booking came from "a client's phone".
DEMO_CLIENT_IP = "198.51.100.7"


def _online_booking(ctx: DemoContext) -> None:
    """A client books themself on the public page, through the page's own service: the
    staff's "New online booking" notification (who, what, when, with whom, a link to the
    visit) is the real one. The schedule's hook tells the staff after the commit; the demo
    runs in one transaction, so it is told here the way the hook does (the hook's run after
    the demo's commit finds it told and writes nothing).

    The lead of the demo books the last free time of the first working day from the day
    after tomorrow: clear of the prepayment demo's bookings (from three days ahead, in the
    mornings) and of the visits the waiting list's demo frees (the next ones)."""
    clients = list(ctx.data.get("clients") or [])
    org = ctx.organization
    service = next((s for s in ctx.data.get("services", []) if s.online_booking), None)
    if len(clients) < 6 or service is None:
        return
    # a client the service is meant for, with a specialist of its trade (the public page
    # offers every specialist's time; a client would pick the hairdresser for a haircut)
    leads_first = sorted(clients[5:], key=lambda c: c.status != Client.Status.LEAD)
    client = next((c for c in leads_first if service_fits(service, client=c)), None)
    staff = {u.pk: u for u in ctx.staff if service_fits(service, staff=u)}
    if client is None or not staff:
        return
    today = ctx.now.astimezone(organization_zone(org)).date()
    for ahead in range(2, 9):
        day = today + timedelta(days=ahead)
        slots = [
            slot
            for slot in free_slots(
                organization=org,
                service=service,
                date_from=day,
                date_to=day,
                now=ctx.now,
                online=True,
            )
            if slot.staff_id in staff
        ]
        if slots:
            break
    else:
        return
    slot = slots[-1]
    try:
        visit = online_booking_create(
            organization=org,
            service=service,
            starts_at=slot.start,
            phone=client.phone,
            first_name=client.first_name,
            last_name=client.last_name,
            consent=True,
            ip=DEMO_CLIENT_IP,
            staff=staff[slot.staff_id],
            now=ctx.now,
        )
    except DomainError:  # the demo's schedule left no time: one notification fewer
        return
    online_booking_staff_notify(visit)
