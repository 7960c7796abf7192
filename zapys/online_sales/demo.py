"""Demo data: online sales on with the sandbox account and 2.5 % commission, two permanent
plans on sale with the default buttons, and purchases paid — one attached by its code, one
attached by itself (X10), one waiting for its code."""

from __future__ import annotations

from decimal import Decimal

from zapys.clients.models import Client
from zapys.core.demo import DemoContext
from zapys.memberships.models import MembershipPlan
from zapys.online_sales import services
from zapys.online_sales.models import OnlineSale
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.services import payment_account_create, payment_succeed


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    if OnlineSale.objects.for_org(org).exists():
        return
    plans = list(
        MembershipPlan.objects.for_org(org)
        .filter(kind=MembershipPlan.Kind.PERMANENT, is_archived=False, price__gt=0)
        .order_by("id")[:2]
    )
    if len(plans) < 2:
        return
    account = PaymentAccount.objects.for_org(org).filter(provider="sandbox").first()
    if account is None:
        account = payment_account_create(
            organization=org, provider="sandbox", credentials={}, actor=ctx.actor
        )
    services.online_settings_update(
        organization=org,
        actor=ctx.actor,
        enabled=True,
        payment_account=account,
        commission_percent=Decimal("2.5"),
        auto_attach=True,
    )
    # No text and no design of their own: the buttons read "Buy “<plan>”" in the buyer's
    # language and look alike (the settings' design), as a business starts.
    for plan in plans:
        services.plan_online_update(plan=plan, actor=ctx.actor, sell_online=True)
    clients = list(Client.objects.for_org(org).exclude(phone="").order_by("id")[:2])

    def buy(plan: MembershipPlan, email: str, phone: str = "") -> OnlineSale:
        sale = services.online_sale_start(
            organization=org, plan=plan, email=email, phone=phone, actor=ctx.actor
        )
        payment = Payment.objects.for_org(org).get(pk=sale.payment_id)
        payment_succeed(payment=payment, actor=ctx.actor)
        sale.refresh_from_db()
        return sale

    buy(plans[0], "olena.buyer@example.com")  # waits for its code at the front desk
    if clients:
        by_code = buy(plans[1], "ivan.buyer@example.com")
        if by_code.status == OnlineSale.Status.PAID:
            services.online_sale_attach(sale=by_code, client=clients[0], actor=ctx.actor)
    if len(clients) > 1:
        buy(plans[0], "known.client@example.com", phone=clients[1].phone)  # X10
    services.online_sale_start(
        organization=org, plan=plans[1], email="not.paid.yet@example.com", actor=ctx.actor
    )
