"""Demo: top-ups in different states (paid, declined, awaiting the client) on the payments
demo's sandbox account."""

from __future__ import annotations

from zapys.core.demo import DemoContext
from zapys.payments.services import payment_fail, payment_succeed
from zapys.topups.services import topup_create


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
