"""Demo: a sandbox payment account (the default) and top-ups in different states."""

from __future__ import annotations

from zapys.core.demo import DemoContext
from zapys.payments import services


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    account = services.payment_account_create(
        organization=org,
        provider="sandbox",
        name="Sandbox",
        credentials={},
        is_default=True,
        actor=ctx.actor,
    )
    ctx.data["payment_account"] = account
    clients = ctx.data.get("clients") or []
    if len(clients) < 3:
        return
    branch = ctx.branches[0] if ctx.branches else None
    amounts = [50000, 100000, 30000]
    payments = [
        services.topup_create(client=client, amount=amount, actor=ctx.actor, branch=branch)
        for client, amount in zip(clients[:3], amounts, strict=True)
    ]
    services.payment_succeed(payment=payments[0], actor=ctx.actor)
    services.payment_fail(payment=payments[1], actor=ctx.actor)
    ctx.data["payments"] = payments
