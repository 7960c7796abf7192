"""Demo data (runs last): prepayment on with the sandbox account, booking types, rules,
and bookings in every state."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from zapys.clients.models import Client, Tag
from zapys.core.demo import DemoContext
from zapys.payments.models import PaymentAccount
from zapys.payments.services import payment_account_create, payment_succeed
from zapys.prepayments import services, sweeps
from zapys.prepayments.models import Booking
from zapys.schedule.services import (
    visit_cancel,
    visit_create,
    visit_status_set,
    visit_statuses_ensure,
)
from zapys.schedule.services.statuses import status_first


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    if Booking.objects.for_org(org).exists():
        return
    account = PaymentAccount.objects.for_org(org).filter(provider="sandbox").first()
    if account is None:
        account = payment_account_create(
            organization=org, provider="sandbox", credentials={}, actor=ctx.actor
        )
    statuses = visit_statuses_ensure(organization=org)
    # no dedicated cancellation status: auto-cancel uses the schedule's seeded "cancelled
    # unpaid" (`cancel_status_for`), so the demo has one status of that meaning, not two
    services.policy_presets_ensure(org)  # Flexible / Moderate / Strict; Moderate the default
    services.prepayment_settings_update(
        organization=org,
        actor=ctx.actor,
        enabled=True,
        payment_account=account,
        link_lifetime_hours=24,
        auto_cancel=True,
        auto_cancel_after_minutes=30,
        reminder_enabled=True,
        reminder_hours_before=3,
        status_after_payment=statuses.get("confirmed"),
        page_business_name=org.name,
        page_subtitle="Салон краси",
        page_subtitle_en="Beauty salon",
        page_call_to_action="Очікуємо оплати броні",
        page_call_to_action_en="We are waiting for your booking deposit",
        page_expired_message="Термін оплати броні минув. Зателефонуйте нам, щоб записатися знову.",
        page_expired_message_en="The time to pay the deposit has passed. Call us to book again.",
        agreement_text=(
            "Передоплата зараховується на ваш баланс і використовується для оплати візиту. "
            "Якщо ви скасуєте візит пізніше ніж за 24 години, передоплата не повертається."
        ),
        agreement_text_en=(
            "The deposit goes to your balance and pays for the visit. "
            "If you cancel the visit later than 24 hours before it, the deposit is not refunded."
        ),
    )
    fixed = services.booking_type_create(
        organization=org,
        name="Фіксована 200 грн",
        rule="fixed",
        value=20_000,
        actor=ctx.actor,
        is_default=True,
    )
    services.booking_type_create(
        organization=org, name="30% вартості", rule="percent", value=30, actor=ctx.actor
    )
    services.booking_type_create(
        organization=org, name="Година спеціаліста", rule="hourly", value=50, actor=ctx.actor
    )
    club, _created = Tag.objects.for_org(org).get_or_create(organization=org, name="клуб")
    services.prepayment_rule_create(
        organization=org, action="waive", tag=club, actor=ctx.actor, order=10
    )
    clients = list(ctx.data.get("clients") or Client.objects.for_org(org)[:8])
    service_list: list[Any] = list(ctx.data.get("services") or [])
    staff = ctx.specialists or ctx.staff
    if not clients or not service_list or not staff or not ctx.branches:
        return
    service_list = [s for s in service_list if getattr(s, "price", 0) >= 20_000] or service_list
    made: list[Booking] = []
    for i in range(6):
        start = (ctx.now + timedelta(days=3 + i)).replace(
            hour=9 + i, minute=0, second=0, microsecond=0
        )
        try:
            visit = visit_create(
                organization=org,
                client=clients[i % len(clients)],
                staff=staff[i % len(staff)],
                service=service_list[i % len(service_list)],
                starts_at=start,
                branch=ctx.branches[0],
                actor=ctx.actor,
                now=ctx.now,
            )
            made.append(
                services.booking_create(
                    visit=visit, actor=ctx.actor, booking_type=fixed, now=ctx.now
                )
            )
        except Exception:  # noqa: S112 - a busy demo slot: one booking fewer
            continue
    if len(made) < 5:
        return
    payment_succeed(
        payment=made[0].payment,  # type: ignore[arg-type]
        actor=ctx.actor,
    )  # paid
    payment_succeed(
        payment=made[1].payment,  # type: ignore[arg-type]
        actor=ctx.actor,
    )
    services.booking_cancel(booking=made[1], actor=ctx.actor)  # cancelled (money on balance)
    # expired and auto-cancelled: as if their links ran out
    Booking.objects.for_org(org).filter(pk__in=[made[2].pk, made[3].pk]).update(
        expires_at=ctx.now - timedelta(hours=2), auto_cancel_at=ctx.now - timedelta(hours=1)
    )
    Booking.objects.for_org(org).filter(pk=made[3].pk).update(auto_cancel_at=None)
    sweeps.sweep(ctx.now)
    made[2].refresh_from_db()
    payment_succeed(
        payment=made[2].payment,  # type: ignore[arg-type]
        actor=ctx.actor,
    )  # paid late
    # made[4], made[5]: pending
    _policy_demo(ctx, clients, staff, service_list, fixed)


def _policy_demo(
    ctx: DemoContext, clients: list[Any], staff: list[Any], service_list: list[Any], fixed: Any
) -> None:
    """X3/V2: one visit cancelled late (the Moderate fee charged, the rest on the balance)
    and one no-show whose fee was waived with a reason."""
    org = ctx.organization
    done: list[Booking] = []
    for i, hours in enumerate((5, 7)):
        start = (ctx.now + timedelta(hours=hours)).replace(second=0, microsecond=0)
        try:
            visit = visit_create(
                organization=org,
                client=clients[(i + 3) % len(clients)],
                staff=staff[(i + 1) % len(staff)],
                service=service_list[i % len(service_list)],
                starts_at=start,
                branch=ctx.branches[0],
                actor=ctx.actor,
                now=ctx.now,
            )
            booking = services.booking_create(
                visit=visit, actor=ctx.actor, booking_type=fixed, now=ctx.now
            )
        except Exception:  # noqa: S112 - a busy demo slot: one example fewer
            continue
        payment_succeed(payment=booking.payment, actor=ctx.actor)  # type: ignore[arg-type]
        booking.refresh_from_db()
        done.append(booking)
    if len(done) < 2:
        return
    visit_cancel(visit=done[0].visit, actor=ctx.actor, options={"by": "client"})
    no_show = visit_status_set(
        visit=done[1].visit, status=status_first(org, is_no_show=True), actor=ctx.actor
    )
    fee = getattr(no_show, "status_effects", {}).get("fee")
    if fee is not None:
        services.fee_waive(fee=fee, actor=ctx.actor, reason="Хвороба, довідка від лікаря")
