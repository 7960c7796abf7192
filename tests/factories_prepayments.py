"""Builders for prepayment tests: an organization ready to take prepayments, visits,
bookings (all through the services)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tests.factories import SYSTEM, make_staff
from tests.factories_messaging import make_transport_account
from tests.factories_payments import make_account
from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.payments.models import PaymentAccount
from zapys.payments.sandbox import sandbox_charge
from zapys.payments.services import payment_succeed
from zapys.prepayments import services
from zapys.prepayments.models import Booking, BookingType, PrepaymentSettings
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_create

_seq = itertools.count(1)


def enable_prepayment(
    org: Organization,
    *,
    account: PaymentAccount | None = None,
    with_sms: bool = True,
    **fields: Any,
) -> PrepaymentSettings:
    """Prepayment on with a sandbox account, a console SMS transport and defaults."""
    account = account or make_account(org, "sandbox")
    if with_sms:
        make_transport_account(org, "sms")
    return services.prepayment_settings_update(
        organization=org,
        actor=SYSTEM,
        enabled=True,
        payment_account=account,
        agreement_text=fields.pop("agreement_text", "Prepayment is kept if you do not come."),
        **fields,
    )


def make_booking_type(
    org: Organization,
    rule: str = "fixed",
    value: int = 20_000,
    name: str | None = None,
    **kwargs: Any,
) -> BookingType:
    return services.booking_type_create(
        organization=org,
        name=name or f"Type {next(_seq)}",
        rule=rule,
        value=value,
        actor=SYSTEM,
        **kwargs,
    )


def make_service(org: Organization, price: int = 100_000, minutes: int = 60) -> Service:
    return Service.objects.for_org(org).create(
        organization=org, name=f"Haircut {next(_seq)}", duration_minutes=minutes, price=price
    )


def make_client(org: Organization, name: str | None = None, **fields: Any) -> Client:
    n = next(_seq)
    return Client.objects.for_org(org).create(
        organization=org,
        name=name or f"Олена Коваленко {n}",
        phone=fields.pop("phone", f"+38050{n:07d}"),
        **fields,
    )


def make_visit(
    org: Organization,
    branch: Branch,
    *,
    staff: User | None = None,
    client: Client | None = None,
    service: Service | None = None,
    starts_at: datetime | None = None,
    source: str = "staff",
    now: datetime | None = None,
) -> Visit:
    staff = staff or make_staff(org, "specialist", branches=[branch], hourly_rate=60_000)
    if starts_at is None:
        # 90 minutes after the organization's previous default visit: counted in this test's
        # database, not process-wide, so a test's visits land at the same times whatever ran
        # before it (a process-wide counter pushed them days ahead in the full suite)
        earlier = Visit.objects.for_org(org).count()
        starts_at = timezone.now() + timedelta(days=2, minutes=earlier * 90)
    return visit_create(
        organization=org,
        client=client or make_client(org),
        staff=staff,
        service=service or make_service(org),
        starts_at=starts_at,
        branch=branch,
        actor=SYSTEM,
        source=source,
        now=now,
    )


def make_booking(
    org: Organization,
    branch: Branch,
    *,
    visit: Visit | None = None,
    booking_type: BookingType | None = None,
    now: datetime | None = None,
    **kwargs: Any,
) -> Booking:
    visit = visit or make_visit(org, branch)
    return services.booking_create(
        visit=visit, actor=SYSTEM, booking_type=booking_type, now=now, **kwargs
    )


def make_paid_booking(
    org: Organization, branch: Branch, *, hours: float = 48, **visit_fields: Any
) -> Booking:
    """A booking for a visit `hours` from now, paid by card through the sandbox provider.

    The provider is told of the charge first: a refund later asks it, and a provider that
    never saw the charge refuses (as LiqPay and WayForPay do)."""
    visit = make_visit(
        org, branch, starts_at=timezone.now() + timedelta(hours=hours), **visit_fields
    )
    booking = make_booking(org, branch, visit=visit)
    assert booking.payment is not None
    sandbox_charge(
        account=booking.payment.account,
        payload={
            "order_id": booking.payment.order_id,
            "amount": booking.payment.amount,
            "currency": "UAH",
        },
        success=True,
    )
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID
    return booking
