"""Demo data: invoice settings on the sandbox account, invoices in every status (one paid in
part, one with a payer: a mother paying for her son), a monthly rule and two reminders."""

from __future__ import annotations

from datetime import time, timedelta

from zapys.core.demo import DemoContext


def load(ctx: DemoContext) -> None:
    from zapys.clients.models import Client
    from zapys.invoices import rules, services
    from zapys.invoices.models import Invoice
    from zapys.payments.models import PaymentAccount
    from zapys.payments.services import payment_succeed

    org = ctx.organization
    if Invoice.objects.for_org(org).exists():
        return
    clients = list(Client.objects.for_org(org).filter(deleted_at__isnull=True).order_by("id")[:8])
    if len(clients) < 6:
        return
    account = PaymentAccount.objects.for_org(org).filter(is_active=True).order_by("id").first()
    services.invoice_settings_update(
        organization=org,
        actor=ctx.actor,
        payment_account=account,
        offer_url="https://zapys.example/oferta",
    )
    today = services.local_today(org, ctx.now)
    month_end = rules.pay_until_for("month_end", today)

    def manual(client: Client, amount: int, **kwargs: object) -> Invoice:
        return services.invoice_create(
            client=client,
            calculation="manual",
            amount=amount,
            actor=ctx.actor,
            now=ctx.now,
            **kwargs,  # type: ignore[arg-type]
        )

    mother, son = clients[0], clients[1]
    manual(
        son,
        120_000,
        payer=mother,
        period_start=today,
        period_end=today + timedelta(days=30),
        pay_until=month_end,
        comment="Англійська, грудень",
    )
    manual(clients[2], 90_000, pay_until=month_end, comment="Йога, 8 занять")
    partial = manual(clients[3], 150_000, allow_partial=True, comment="Курс манікюру")
    paid = manual(clients[4], 60_000, comment="Масаж, 4 сеанси")
    if account is not None:
        for invoice, amount in ((partial, 50_000), (paid, None)):
            payment = services.invoice_payment_start(
                invoice=invoice, actor=ctx.actor, amount=amount, now=ctx.now
            )
            payment_succeed(payment=payment, actor=ctx.actor)
    # Issued 20 days ago, due 5 days ago: overdue now (issued, payable from and due dates in
    # this order: a due date before the issue date was on the demo's page once).
    issued_at = ctx.now - timedelta(days=20)
    expired = services.invoice_create(
        client=clients[5],
        calculation="manual",
        amount=45_000,
        pay_until=today - timedelta(days=5),
        comment="Пілатес, листопад",
        actor=ctx.actor,
        now=issued_at,
    )
    Invoice.objects.for_org(org).filter(pk=expired.pk).update(created_at=issued_at)
    services.invoices_expire(ctx.now)
    archived = manual(clients[-1], 30_000, comment="Скасований курс")
    services.invoice_archive(invoice=archived, actor=ctx.actor)
    rules.rule_save(
        organization=org,
        actor=ctx.actor,
        schedule=rules.Schedule("month", time(9), day=1),
        now=ctx.now,
        name="Абонементи на наступний місяць",
        method="membership",
        account="all",
        period_type="next",
        period="month",
        pay_window="1w",
        repeatable=False,
        reissue_if_unpaid=False,
        channel="",
        template="{customer.first_name}, рахунок за абонемент: {bill.amount_url}",
    )
    rules.dunning_level_create(
        organization=org,
        days_from_due=-2,
        actor=ctx.actor,
        template="{customer.first_name}, нагадуємо про оплату {bill.amount}: {bill.url}",
    )
    rules.dunning_level_create(organization=org, days_from_due=3, actor=ctx.actor)
