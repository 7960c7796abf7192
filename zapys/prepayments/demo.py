"""Demo data (runs last): prepayment on with the sandbox account, booking types, rules,
and bookings in every state."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from zapys.catalog.demo import service_fits
from zapys.clients.models import Client, Tag
from zapys.core.demo import DemoContext, demo_clock, working_moment
from zapys.core.tenancy import organization_zone
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.services import payment_account_create, payment_expire, payment_succeed
from zapys.prepayments import services, sweeps
from zapys.prepayments.models import Booking
from zapys.schedule.services import (
    visit_cancel,
    visit_create,
    visit_status_set,
    visit_statuses_ensure,
)
from zapys.schedule.services.statuses import status_first

logger = logging.getLogger(__name__)


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
        name="Стандартна передоплата",
        rule="fixed",
        value=20_000,
        actor=ctx.actor,
        is_default=True,
    )
    services.booking_type_create(
        organization=org, name="Відсоток від вартості", rule="percent", value=30, actor=ctx.actor
    )
    services.booking_type_create(
        organization=org, name="Година спеціаліста", rule="hourly", value=50, actor=ctx.actor
    )
    club, _created = Tag.objects.for_org(org).get_or_create(organization=org, name="клуб")
    services.prepayment_rule_create(
        organization=org, action="waive", tag=club, actor=ctx.actor, order=10
    )
    # the bookings are asked of clients who would be asked in a salon: not of a «клуб» client
    # (the rule above waives them) nor of one whose membership pays for the visit (refused)
    exempt = set(
        Client.objects.for_org(org)
        .filter(Q(tags=club) | Q(memberships__isnull=False))
        .values_list("pk", flat=True)
    )
    clients = [
        c
        for c in (ctx.data.get("clients") or Client.objects.for_org(org)[:12])
        if c.pk not in exempt
    ]
    service_list: list[Any] = list(ctx.data.get("services") or [])
    service_list = [s for s in service_list if getattr(s, "price", 0) >= 20_000] or service_list
    # each booking a specialist's own service, for a client it is meant for
    pairs = _trade_pairs(ctx.specialists or ctx.staff, service_list)
    if not clients or not pairs or not ctx.branches:
        return
    used: set[int] = set()
    made: list[Booking] = []
    # one booking a day from three days ahead, on the first free hour (the salon's wall
    # clock): the schedule's demo fills days relative to today, so a fixed hour is busy on
    # some days and not on others
    local_now = timezone.localtime(ctx.now, organization_zone(org))
    for day in range(12):
        if len(made) == 6:
            break
        i = len(made)
        specialist, service = pairs[i % len(pairs)]
        client = _client_for(service, clients, used)
        if client is None:
            break
        for hour in (9 + i, 13, 16, 10, 14, 17):
            start = (local_now + timedelta(days=3 + day)).replace(
                hour=hour, minute=0, second=0, microsecond=0
            )
            try:
                visit = visit_create(
                    organization=org,
                    client=client,
                    staff=specialist,
                    service=service,
                    starts_at=start,
                    branch=_branch_of(specialist, ctx),
                    actor=ctx.actor,
                    now=ctx.now,
                )
                made.append(
                    services.booking_create(
                        visit=visit, actor=ctx.actor, booking_type=fixed, now=ctx.now
                    )
                )
            except Exception:  # noqa: S112 - a busy demo slot: try the next hour
                continue
            used.add(client.pk)
            break
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
    # expired and auto-cancelled: as if their links ran out. The booking and its payment
    # share one deadline, so both run out: the payment-links report counts the same expired
    # links as the bookings' cards.
    ran_out = ctx.now - timedelta(hours=2)
    Booking.objects.for_org(org).filter(pk__in=[made[2].pk, made[3].pk]).update(
        expires_at=ran_out, auto_cancel_at=ctx.now - timedelta(hours=1)
    )
    Booking.objects.for_org(org).filter(pk=made[3].pk).update(auto_cancel_at=None)
    for booking in (made[2], made[3]):
        assert booking.payment is not None
        Payment.objects.for_org(org).filter(pk=booking.payment.pk).update(expires_at=ran_out)
        booking.payment.refresh_from_db()
        payment_expire(payment=booking.payment, actor=ctx.actor)
    sweeps.sweep(ctx.now)
    made[2].refresh_from_db()
    payment_succeed(
        payment=made[2].payment,  # type: ignore[arg-type]
        actor=ctx.actor,
    )  # paid late
    # made[4], made[5]: pending
    _policy_demo(ctx, clients, pairs, used, fixed)


def _branch_of(specialist: Any, ctx: DemoContext) -> Any:
    """Where the specialist works (the barber only in Поділ): the visit is booked there."""
    return specialist.branches.order_by("id").first() or ctx.branches[0]


def _trade_pairs(staff: list[Any], service_list: list[Any]) -> list[tuple[Any, Any]]:
    """(specialist, one of their trade's services), the specialists taking turns: the
    bookings go to each of them, the hairdresser's to haircuts, the manicurist's to nails."""
    own = [[s for s in service_list if service_fits(s, staff=who)] for who in staff]
    turns = itertools.zip_longest(
        *[[(who, s) for s in mine] for who, mine in zip(staff, own, strict=True) if mine]
    )
    return [pair for turn in turns for pair in turn if pair is not None]


def _client_for(service: Any, clients: list[Any], used: set[int]) -> Any:
    """The first client the service is meant for and not booked by this demo yet."""
    return next((c for c in clients if c.pk not in used and service_fits(service, client=c)), None)


def _policy_demo(
    ctx: DemoContext, clients: list[Any], pairs: list[tuple[Any, Any]], used: set[int], fixed: Any
) -> None:
    """X3/V2: one visit cancelled late (the Moderate fee charged, the rest on the balance)
    and one no-show whose fee was waived with a reason.

    The late cancellation is of a visit in the salon's next working hours, at least three
    hours ahead (not "now + 5 hours", which put it at night); the no-show is of yesterday's
    visit, booked and paid the day before it — a visit still to come is never a no-show."""
    org = ctx.organization
    zone = organization_zone(org)
    # the first free time of the salon's day from three hours on, with any specialist
    late = None
    booked_before = datetime.combine(
        timezone.localtime(ctx.now, zone).date() - timedelta(days=2), time(12), zone
    )
    for specialist, service in [*pairs[1:], *pairs[:1]]:
        client = _client_for(service, clients, used)
        if client is None:
            continue
        starts_at = working_moment(ctx.now + timedelta(hours=3), zone, latest=time(17))
        for _attempt in range(18):
            # booked and paid two days ago at noon, cancelled now: the newest booking on the
            # prepayments page is still one to pay, not this cancelled one
            late = _paid_booking(
                ctx, client, specialist, service, fixed,
                starts_at=starts_at, booked_at=booked_before,
            )  # fmt: skip
            if late is not None:
                break
            starts_at = working_moment(starts_at + timedelta(minutes=30), zone, latest=time(17))
        if late is not None:
            used.add(client.pk)
            break
    # a past slot the other demos left free: yesterday first, early or late in the
    # working day (a service ends by 19:00). Not at 9:00: booked the day before, its
    # deadline is an hour before the start (`booking_deadline`), 8:00, before opening
    missed = None
    local_now = timezone.localtime(ctx.now, zone)
    for days_back, hour, (who, service) in itertools.product((1, 2, 3), (10, 17, 11, 16), pairs):
        client = _client_for(service, clients, used)
        if client is None:
            continue
        starts_at = (local_now - timedelta(days=days_back)).replace(
            hour=hour, minute=0, second=0, microsecond=0
        )
        missed = _paid_booking(
            ctx, client, who, service, fixed,
            starts_at=starts_at, booked_at=starts_at - timedelta(days=1),
        )  # fmt: skip
        if missed is not None:
            break
    if late is not None:
        visit_cancel(visit=late.visit, actor=ctx.actor, options={"by": "client"})
    if missed is not None:
        # marked a no-show when the visit ended (its fee dated then, not when the demo was
        # loaded: the sixth tour's #4); the fee waived now
        marked = min(missed.visit.ends_at, ctx.now)
        with demo_clock(marked):
            no_show = visit_status_set(
                visit=missed.visit,
                status=status_first(org, is_no_show=True),
                actor=ctx.actor,
                now=marked,
            )
        fee = getattr(no_show, "status_effects", {}).get("fee")
        if fee is not None:
            services.fee_waive(fee=fee, actor=ctx.actor, reason="Хвороба, довідка від лікаря")


def _paid_booking(
    ctx: DemoContext,
    client: Any,
    specialist: Any,
    service: Any,
    booking_type: Any,
    *,
    starts_at: datetime,
    booked_at: datetime,
) -> Booking | None:
    """A visit at `starts_at` booked and prepaid at `booked_at` (None: its slot is busy)."""
    org = ctx.organization
    try:
        # made then, as the services would have made it (`demo_clock`): the booking's,
        # the payment's and the ledger's times all say so
        with demo_clock(booked_at):
            visit = visit_create(
                organization=org,
                client=client,
                staff=specialist,
                service=service,
                starts_at=starts_at,
                branch=_branch_of(specialist, ctx),
                actor=ctx.actor,
                now=booked_at,
            )
            booking = services.booking_create(
                visit=visit, actor=ctx.actor, booking_type=booking_type, now=booked_at
            )
        with demo_clock(min(booked_at + timedelta(hours=1), ctx.now)):
            payment_succeed(payment=booking.payment, actor=ctx.actor)  # type: ignore[arg-type]
    except Exception as exc:  # a busy demo slot: one example fewer
        logger.info("prepayments demo: no booking at %s: %s", starts_at, exc)
        return None
    booking.refresh_from_db()
    return booking
