"""Demo finance: payment types and a cash desk per branch, articles, a few cash operations;
at the very end the «борг» tag follows who owes (`settle`). The clients' charges and
payments come with their visits (`checkout/demo.py` checks out two months of them).

Each of these is dated when it would have happened over the past weeks, not when the demo
was loaded: the services are called with the clock set back (`core.demo.demo_clock`), so an
entry, its audit row and its till operation all say the same day. (The ledger is
append-only; its rows are dated by the clock when written and never re-dated.) The opening
balances are not made here: they come with the clients' import (`clients/demo.py`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from zapys.clients.demo import DEBT_TAG
from zapys.clients.models import Client
from zapys.clients.services import client_update
from zapys.core.demo import DemoContext, demo_clock
from zapys.core.tenancy import organization_zone
from zapys.ledger import selectors, services
from zapys.ledger.hooks import finance_articles_declared
from zapys.ledger.models import DEFAULT_PAYMENT_TYPE_NAMES, PaymentType


def _system_name(org: Any, msgid: str) -> str:
    with translation.override(org.language or "uk"):
        return gettext(msgid)


def load(ctx: DemoContext) -> None:
    org, actor = ctx.organization, ctx.actor
    types: dict[int, dict[str, PaymentType]] = {}
    for branch in ctx.branches:
        desk = services.cash_desk_create(
            organization=org, branch=branch, name=f"Каса {branch.name}", actor=actor
        )
        types[branch.pk] = {}
        for method in ("cash", "card", "online"):
            types[branch.pk][method] = services.payment_type_create(
                organization=org,
                branch=branch,
                method=method,
                # the system name in the organization's language: shown in each page's
                # language until the salon renames it (`PaymentType.display_name`)
                name=_system_name(org, DEFAULT_PAYMENT_TYPE_NAMES[method]),
                cash_desk=desk if method == "cash" else None,
                is_default=True,
                actor=actor,
            )
    for code in finance_articles_declared():
        services.finance_article_for(organization=org, code=code)
    rent = services.finance_article_create(
        organization=org, kind="expense", name="Оренда", actor=actor
    )
    supplies = services.finance_article_create(
        organization=org, kind="expense", name="Матеріали", actor=actor
    )
    ctx.data["payment_types"] = types

    # The clients' charges and payments are visits checked out at the desk
    # (`checkout/demo.py`): every charge for a service on a card is a visit on the calendar.
    zone = organization_zone(org)
    today = ctx.now.astimezone(zone).date()
    # The month's rent on its first working morning, the gel polish bought a week ago.
    expenses = (  # (when, amount, article, how it was paid, what it was)
        (
            _at(_first_weekday(today.replace(day=1)), 9, 30, zone),
            1_500_000,
            rent,
            "card",
            "Оренда приміщення",
        ),
        (_at(today - timedelta(days=7), 12, 0, zone), 230_000, supplies, "cash", "Гель-лаки"),
    )
    for branch in ctx.branches:
        for when, amount, article, method, comment in expenses:
            with demo_clock(when):
                services.financial_operation_create(
                    organization=org,
                    branch=branch,
                    kind="expense",
                    amount=amount,
                    article=article,
                    payment_type=types[branch.pk][method],
                    comment=comment,
                    actor=actor,
                )


def settle(ctx: DemoContext) -> None:
    """The «борг» (debt) tag on the clients who owe, and on no one else, once every demo
    payment is in. The old CRM's file tagged its one debtor; since then she may have paid
    and others may owe (a membership sold on credit, a visit charged to the balance). The
    desk keeps the tag with the balance, as the reviewers of the demo expected: a client
    tagged «борг» with 3 200 грн on the balance read as a mistake."""
    org = ctx.organization
    clients = list(Client.objects.for_org(org).alive().prefetch_related("tags"))
    balances = selectors.balances_for([c.pk for c in clients])
    for client in clients:
        names = [t.name for t in client.tags.all()]
        owes = balances.get(client.pk, 0) < 0
        if owes == (DEBT_TAG in names):
            continue
        kept = [n for n in names if n != DEBT_TAG]
        client_update(client=client, actor=ctx.actor, tags=[*kept, DEBT_TAG] if owes else kept)


def _at(day: date, hour: int, minute: int, zone: Any) -> datetime:
    return datetime.combine(day, time(hour, minute), zone)


def _first_weekday(day: date) -> date:
    """The first Monday-to-Friday day from `day` on."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day
