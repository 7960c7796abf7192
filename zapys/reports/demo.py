"""Demo: two months of a salon's desk money, so the Reports section looks like a real
business's month and the one before (R1). The payment links the funnel (X9) reads are the
top-ups' demo (`topups/demo.py`): a purpose app makes its own payments.

Everything goes through the money service, as in live use; only the clock is set back for
each event (`core.demo.demo_clock`). Deterministic (the demo's seeded random) and small:
about 160 desk payments (the demo must stay quick: each payment is the money service's
dozens of statements). Each desk payment pays for a service charged to the client's balance
just before (the catalogue's price): a client's card shows what was done and what was paid,
its balance does not grow by every visit.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from django.utils.translation import gettext_noop

from zapys.catalog.demo import service_fits
from zapys.clients.demo import demo_gender
from zapys.core.demo import DemoContext, demo_clock
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import organization_zone
from zapys.ledger.models import Entry, PaymentType
from zapys.ledger.money import SoldLine, money_received_record, money_refunded_record
from zapys.ledger.services import entry_cancel, entry_create

SERVICES = (  # the catalogue's (`catalog/demo.py`) at its prices
    ("Стрижка жіноча", 60_000),
    ("Стрижка чоловіча", 40_000),
    ("Оформлення бороди", 30_000),
    ("Манікюр з покриттям гель-лак", 70_000),
    ("Фарбування волосся", 180_000),
    ("Педикюр", 80_000),
    ("Укладка", 50_000),
    ("Корекція брів", 30_000),
)


def load(ctx: DemoContext) -> None:
    types = ctx.data.get("payment_types") or {}
    # people paying for their visits (a company buys no haircut)
    clients = [c for c in ctx.data.get("clients") or [] if demo_gender(c)]
    if not ctx.branches or not types or len(clients) < 20:
        return
    zone = organization_zone(ctx.organization)
    today = ctx.now.astimezone(zone).date()
    _desk_money(ctx, clients, types, zone, today)


def _at(day: date, hour: int, minute: int, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(hour, minute), zone)


def _desk_money(ctx: DemoContext, clients: list, types: dict, zone: tzinfo, today: date) -> None:
    """Payments at the desk (cash and card, both branches), a few refunds and one mistake
    cancelled; more on Fridays and Saturdays, nothing on most Sundays."""
    rng, actor = ctx.rng, ctx.actor
    # Today too, up to the last full hour: the day's sales page shows hours, not one bar.
    last_hour_today = min(19, ctx.now.astimezone(zone).hour - 1)
    # From the first day of the month before last: "last month against the one before" has
    # both months whole.
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    first = (last_month - timedelta(days=1)).replace(day=1)
    for back in range((today - first).days, -1, -1):
        day = today - timedelta(days=back)
        if (day.weekday() == 6 and back % 3) or (back == 0 and last_hour_today < 9):
            continue
        visits = rng.randint(2, 3) + (1 if day.weekday() in (4, 5) else 0)
        last_hour = last_hour_today if back == 0 else 19
        for n in range(visits):
            branch = ctx.branches[n % len(ctx.branches)]
            method = PaymentType.Method.CARD if rng.random() < 0.6 else PaymentType.Method.CASH
            client = clients[rng.randrange(len(clients))]
            # what the client had done: a service meant for them (no beard trim for a woman)
            name, price = rng.choice([s for s in SERVICES if service_fits(s[0], client=client)])
            refunded = back and back % 9 == 0 and n == 0
            with demo_clock(_at(day, rng.randint(9, last_hour), rng.choice((0, 15, 30, 45)), zone)):
                # the service charged to the client's balance, then paid: the card reads
                # «Надана послуга −600 / Оплата +600», not payments piling up on the balance
                # (a refunded visit was charged what the client kept paying for)
                entry_create(
                    client=client,
                    kind=Entry.Kind.CREDIT,
                    amount=price - price // 2 if refunded else price,
                    purpose=Entry.Purpose.SERVICE,
                    comment=name,
                    branch=branch,
                    actor=actor,
                )
                money = money_received_record(
                    client=client,
                    amount=price,
                    purpose=Entry.Purpose.PAYMENT,
                    article="services",
                    actor=actor,
                    cause=None,
                    comment=name,
                    sold=[SoldLine(name, price)],
                    branch=branch,
                    payment_type=types[branch.pk][method],
                )
                if refunded:
                    # A refund that evening: the client was unhappy with the result.
                    with demo_clock(_at(day, 20, 0, zone)):
                        money_refunded_record(
                            client=client,
                            amount=price // 2,
                            actor=actor,
                            cause=None,
                            comment=StoredText(gettext_noop("Refund: %(name)s"), name=name),
                            branch=branch,
                            payment_type=types[branch.pk][method],
                        )
                if back == 11 and n == 1:
                    # the payment written twice: the second one cancelled, with its charge
                    money = money_received_record(
                        client=client,
                        amount=price,
                        purpose=Entry.Purpose.PAYMENT,
                        article="services",
                        actor=actor,
                        cause=None,
                        comment=name,
                        sold=[SoldLine(name, price)],
                        branch=branch,
                        payment_type=types[branch.pk][method],
                    )
                    entry_cancel(entry=money.entry, actor=actor, reason="Записали двічі")
