"""Demo finance: payment types and a cash desk per branch, articles, client ledgers
(payments, charges, one cancelled mistake), a few cash operations."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from zapys.core.demo import DemoContext
from zapys.ledger import services
from zapys.ledger.hooks import finance_articles_declared
from zapys.ledger.models import DEFAULT_PAYMENT_TYPE_NAMES, Entry, PaymentType


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

    clients = ctx.data.get("clients", [])
    main = ctx.branches[0] if ctx.branches else None
    for i, client in enumerate(clients[:12]):
        pt = types[main.pk]["cash" if i % 2 else "card"] if main else None
        if i % 4 == 0:
            services.entry_create(
                client=client,
                kind=Entry.Kind.DEBIT,
                amount=ctx.rng.choice([50_000, 100_000, 150_000]),
                purpose=Entry.Purpose.OPENING_BALANCE,
                comment="Залишок з попередньої CRM",
                actor=actor,
            )
        services.entry_create(
            client=client,
            kind=Entry.Kind.DEBIT,
            amount=ctx.rng.choice([40_000, 60_000, 70_000]),
            purpose=Entry.Purpose.PAYMENT,
            branch=main,
            payment_type=pt,
            actor=actor,
        )
        services.entry_create(
            client=client,
            kind=Entry.Kind.CREDIT,
            amount=ctx.rng.choice([45_000, 60_000, 80_000]),
            purpose=Entry.Purpose.SERVICE,
            comment="Манікюр з покриттям гель-лак" if i % 2 else "Стрижка жіноча",
            branch=main,
            actor=actor,
        )
        if i == 1:
            mistake = services.entry_create(
                client=client,
                kind=Entry.Kind.DEBIT,
                amount=700_000,
                purpose=Entry.Purpose.PAYMENT,
                comment="Помилково: зайвий нуль",
                branch=main,
                payment_type=pt,
                actor=actor,
            )
            services.entry_cancel(entry=mistake, actor=actor, reason="Зайвий нуль у сумі")
            services.entry_create(
                client=client,
                kind=Entry.Kind.DEBIT,
                amount=70_000,
                purpose=Entry.Purpose.PAYMENT,
                comment="Виправлення",
                branch=main,
                payment_type=pt,
                actor=actor,
            )
    for branch in ctx.branches:
        services.financial_operation_create(
            organization=org,
            branch=branch,
            kind="expense",
            amount=1_500_000,
            article=rent,
            payment_type=types[branch.pk]["card"],
            comment="Оренда приміщення",
            actor=actor,
        )
        services.financial_operation_create(
            organization=org,
            branch=branch,
            kind="expense",
            amount=230_000,
            article=supplies,
            payment_type=types[branch.pk]["cash"],
            comment="Гель-лаки",
            actor=actor,
        )
