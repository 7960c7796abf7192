"""Demo: top-ups in different states (paid, declined, awaiting the client) on the payments
demo's sandbox account, and a month of top-up links sent by message — opened, paid minutes
to hours later or left to expire — so the payment-link funnel (X9) has a history."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from zapys.core.demo import DemoContext, demo_clock
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import organization_zone
from zapys.messaging import outbox
from zapys.messaging.events import CUSTOM_MESSAGE
from zapys.messaging.services import message_send
from zapys.payments.demo import finish as sandbox_books
from zapys.payments.services import payment_expire, payment_fail, payment_succeed
from zapys.payments.services.opens import payment_opened_record
from zapys.topups.services import topup_create

#: A link a day for the last month (the funnel's default period is 30 days).
LINK_DAYS = 30


def load(ctx: DemoContext) -> None:
    clients = ctx.data.get("clients") or []
    if len(clients) < 3 or "payment_account" not in ctx.data:
        return
    branch = ctx.branches[0] if ctx.branches else None
    amounts = [50000, 100000, 30000]
    payments = [
        topup_create(client=client, amount=amount, actor=ctx.actor, branch=branch)
        for client, amount in zip(clients[:3], amounts, strict=True)
    ]
    payment_succeed(payment=payments[0], actor=ctx.actor)
    payment_fail(payment=payments[1], actor=ctx.actor)
    ctx.data["payments"] = payments


def finish(ctx: DemoContext) -> None:
    """After every app has loaded: the links' messages need the messaging demo's accounts
    and templates (messaging loads after top-ups). The sandbox's books, which payments'
    own `finish` wrote before this ran, are written again to include these links (the
    write is idempotent)."""
    clients = ctx.data.get("clients") or []
    if len(clients) >= 20 and "payment_account" in ctx.data:
        zone = organization_zone(ctx.organization)
        _payment_links(ctx, clients[10:], zone, ctx.now.astimezone(zone).date())
        sandbox_books(ctx)


def _at(day: date, hour: int, minute: int, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(hour, minute), zone)


def _payment_links(ctx: DemoContext, clients: list, zone: tzinfo, today: date) -> None:
    """A top-up link a day to a different client (a top-up's message is about the client, so
    one link per client keeps "the first message about it" that link's own), sent by
    message: most opened and paid (minutes to hours later), some opened and left, some never
    opened and expired."""
    rng, actor, org = ctx.rng, ctx.actor, ctx.organization
    for index, (back, client) in enumerate(zip(range(LINK_DAYS, 0, -1), clients, strict=False)):
        day = today - timedelta(days=back)
        # sent in working hours, paid within three hours: by 22:00 at the latest (a link
        # paid at 04:24 read as the demo's clock, not a client's evening)
        sent = _at(day, rng.choice((9, 10, 11, 13, 15, 17, 18)), rng.randint(0, 59), zone)
        with demo_clock(sent):
            payment = topup_create(client=client, amount=rng.choice((50_000, 100_000)), actor=actor)
            with contextlib.suppress(DomainError):  # a client with no phone: no message
                message_send(
                    organization=org,
                    event=CUSTOM_MESSAGE,
                    variables={"text": f"Посилання для поповнення балансу: {payment.payment_url}"},
                    actor=actor,
                    client=client,
                    related=client,
                    idempotency_key=f"demo:reports:link:{payment.pk}",
                )
        # The fates spread evenly, not drawn: 70 % paid, 15 % opened and left, 15 % never
        # opened, whatever the day (drawn, a month's mix depended on how many random numbers
        # the demo's other parts used before, so on the date: once only 4 expired of 30).
        fate = (index * 7 % 20) / 20
        if fate < 0.85:
            opened = sent + timedelta(minutes=rng.randint(1, 90))
            payment_opened_record(payment, now=min(opened, timezone.now()))
        if fate < 0.7:
            with demo_clock(sent + timedelta(minutes=rng.choice((5, 12, 25, 40, 90, 180)))):
                payment_succeed(payment=payment, actor=actor)
        else:
            with demo_clock(sent + timedelta(days=1)):
                payment_expire(payment=payment, actor=actor)
    # The console transport "sends" them now, so the funnel shows them sent.
    outbox.deliver_due(now=max(ctx.now, timezone.now()))
