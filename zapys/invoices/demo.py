"""Demo data: invoice settings on the sandbox account, invoices in every status (one paid in
part, one with a payer: a mother paying for her daughter's make-up course), a monthly rule
for memberships and two reminders. Every invoice names what the salon sells: its courses,
its memberships or its services, never a school's subject. Numbered in the order they were
issued: the overdue one, issued twenty days ago, is РАХ-2026-00001."""

from __future__ import annotations

import calendar
from datetime import date, time, timedelta

from django.utils import translation
from django.utils.dates import MONTHS

from zapys.clients.demo import demo_gender
from zapys.core.demo import DemoContext, demo_clock


def _month_last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


#: An invoice of the demo's for no period is due this many days after it is issued.
DUE_IN_DAYS = 14
#: A monthly one is due when its month starts, at least this many days after it is issued:
#: the reminder two days before the due date has days to fire (`_billed_month`).
DUE_AT_LEAST_DAYS = 7


def _billed_month(today: date) -> date:
    """The first day of the month the demo's monthly invoices are for: the next month, or
    the one after when the next starts in less than `DUE_AT_LEAST_DAYS`."""
    start = _month_last_day(today) + timedelta(days=1)
    if (start - today).days < DUE_AT_LEAST_DAYS:
        start = _month_last_day(start) + timedelta(days=1)
    return start


def _month_name(day: date) -> str:
    """The month's name as an invoice's label has it («грудень»): the demo writes Ukrainian."""
    with translation.override("uk"):
        return str(MONTHS[day.month]).lower()


def load(ctx: DemoContext) -> None:
    from zapys.clients.models import Client
    from zapys.invoices import rules, services
    from zapys.invoices.models import Invoice
    from zapys.payments.models import PaymentAccount
    from zapys.payments.services import payment_succeed

    org = ctx.organization
    if Invoice.objects.for_org(org).exists():
        return
    family = ctx.data.get("family")
    # people, not companies: the invoices are for a person's classes and services
    people = [c for c in ctx.data.get("clients") or [] if demo_gender(c) and not c.is_deleted]
    women = [c for c in people if demo_gender(c) == "f"]
    if family is None or len(people) < 6 or len(women) < 3:
        return
    mother, daughter = family
    # a woman's colouring paid in part; four more clients, none of them the family's
    colouring = next(c for c in women if c.pk != mother.pk)
    others = [c for c in people if c.pk not in (mother.pk, colouring.pk)]
    account = PaymentAccount.objects.for_org(org).filter(is_active=True).order_by("id").first()
    # No offer link of the invoices' own: the page shows the organization's (its settings),
    # so the settings page and the invoice page show the same link. Numbers as a Ukrainian
    # salon's documents have them: РАХ-2026-00001.
    services.invoice_settings_update(
        organization=org, actor=ctx.actor, payment_account=account, number_prefix="РАХ"
    )
    today = services.local_today(org, ctx.now)
    this_month = (today.replace(day=1), _month_last_day(today))
    last_month_end = this_month[0] - timedelta(days=1)
    last_month = (last_month_end.replace(day=1), last_month_end)
    # The month's invoices are for the month ahead (`_billed_month`): due when it starts, a
    # week or more from today, so the demo's own reminder «за 2 дні до терміну» can fire
    # (billing the current month, issued on the 5th, made every one due the day issued).
    billed = _billed_month(today)
    billed_end = _month_last_day(billed)
    # an invoice for no period is due when its link closes: in two weeks
    in_two_weeks = today + timedelta(days=DUE_IN_DAYS)

    def manual(client: Client, amount: int, **kwargs: object) -> Invoice:
        return services.invoice_create(
            client=client,
            calculation="manual",
            amount=amount,
            actor=ctx.actor,
            now=ctx.now,
            **kwargs,  # type: ignore[arg-type]
        )

    # Issued 20 days ago, due 5 days ago: overdue now (issued, payable from and due dates in
    # this order: a due date before the issue date was on the demo's page once). Issued
    # first, so numbered first: numbers follow the dates.
    issued_at = ctx.now - timedelta(days=20)
    with demo_clock(issued_at):
        expired = services.invoice_create(
            client=others[2],
            calculation="manual",
            amount=160_000,
            period_start=last_month[0],
            period_end=last_month[1],
            pay_until=today - timedelta(days=5),
            comment=f"Манікюр ×4 на місяць, {_month_name(last_month_end)}",
            actor=ctx.actor,
            now=issued_at,
        )
    Invoice.objects.for_org(org).filter(pk=expired.pk).update(created_at=issued_at)
    services.invoices_expire(ctx.now)
    # The mother pays for her daughter (a standing payer, as the client card sets it): the
    # daughter's month of the make-up course, two lessons a week at 300 грн, labelled by the
    # month it covers.
    services.client_payer_set(client=daughter, payer=mother, actor=ctx.actor)
    manual(
        daughter,
        240_000,
        period_start=billed,
        period_end=billed_end,
        pay_until=billed_end,
        comment=f"Макіяж для себе, {_month_name(billed)}: 8 занять",
    )
    manual(
        others[0],
        200_000,
        period_start=billed,
        period_end=billed_end,
        pay_until=billed_end,
        comment=f"4 візити на місяць, {_month_name(billed)}",
    )
    partial = manual(
        colouring,
        240_000,
        allow_partial=True,
        pay_until=in_two_weeks,
        comment="Фарбування волосся і стрижка жіноча",
    )
    paid = manual(others[1], 120_000, pay_until=in_two_weeks, comment="Зачіски для себе, 4 заняття")
    if account is not None:
        for invoice, amount in ((partial, 100_000), (paid, None)):
            payment = services.invoice_payment_start(
                invoice=invoice, actor=ctx.actor, amount=amount, now=ctx.now
            )
            payment_succeed(payment=payment, actor=ctx.actor)
    archived = manual(others[-1], 60_000, comment="Зачіски для себе, 2 заняття (скасовано)")
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
    # the overdue reminder in the salon's own words too: the organization's default
    # reminder (Ukrainian) showed on the English rules page as the level's text
    rules.dunning_level_create(
        organization=org,
        days_from_due=3,
        actor=ctx.actor,
        template="{customer.first_name}, рахунок на {bill.amount} ще не оплачено: {bill.url}",
    )
