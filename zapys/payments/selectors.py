"""Reads of the payments app."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zapys.core.tenancy import unscoped
from zapys.payments import sql
from zapys.payments.gateway import callback_url, provider_for
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.providers import CheckoutForm, CheckoutRequest
from zapys.payments.purposes import (
    payment_description,
    purpose_label,
    purposes_discover,
    return_url_for,
)


def account_list(*, active_only: bool = False) -> QuerySet[PaymentAccount]:
    qs = PaymentAccount.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def account_get(*, account_id: int) -> PaymentAccount:
    return get_object_or_404(PaymentAccount.objects.all(), pk=account_id)


#: What `new_account_public_id` makes (URL-safe letters, digits, - and _), bounded by the column.
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def account_by_public_id(public_id: str) -> PaymentAccount | None:
    """For callbacks, which arrive with no organization in scope: the account with its
    organization, in one plain statement (`payments.sql`; every callback starts here).
    Anything that cannot be an account id (a NUL byte, which PostgreSQL refuses in a query,
    or an over-long id) finds nothing without asking the database."""
    if not _PUBLIC_ID.fullmatch(public_id):
        return None
    return sql.fetch_one(PaymentAccount, {"public_id": public_id}, related="organization")


def account_for_callback(public_id: str) -> PaymentAccount | None:
    """`account_by_public_id` for a callback, whose account read is also the connection's
    health check.

    With CONN_HEALTH_CHECKS Django sends a `SELECT 1` before a request's first query, so that
    a connection the database dropped (a restart, a failover) is replaced instead of failing
    the request. On a callback that check is one of nine round trips. The account read comes
    first, writes nothing and runs outside any transaction, so it can do the checking
    itself: Django's check is marked done, and a read that finds the connection dead closes
    it and reads once more on a new one. Same outcome (no callback fails on a dropped
    connection), one statement less."""
    conn: Any = connections[DEFAULT_DB_ALIAS]  # health_check_* are not in django-stubs
    if not conn.health_check_enabled or conn.in_atomic_block:
        return account_by_public_id(public_id)
    conn.health_check_done = True
    try:
        return account_by_public_id(public_id)
    except (OperationalError, InterfaceError):
        if conn.is_usable():
            raise  # the statement failed, not the connection
        conn.close()
        return account_by_public_id(public_id)


def payment_get(*, payment_id: int) -> Payment:
    return get_object_or_404(Payment.objects.select_related("account", "client"), pk=payment_id)


def payment_by_token(token: str) -> Payment | None:
    """For the public payment page (no organization in scope until found)."""
    with unscoped():
        return (
            Payment.objects.select_related("organization", "account", "client")
            .filter(token=token)
            .first()
        )


@dataclass
class PaymentFilters:
    status: str = ""
    purpose: str = ""
    provider: str = ""
    client_id: int | None = None
    held: bool = False
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""


def payment_list(filters: PaymentFilters | None = None) -> QuerySet[Payment]:
    """Online payments, newest first, with what a list row shows (constant queries)."""
    f = filters or PaymentFilters()
    qs = Payment.objects.select_related("account", "client").order_by("-created_at", "-id")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.purpose:
        qs = qs.filter(purpose=f.purpose)
    if f.provider:
        qs = qs.filter(account__provider=f.provider)
    if f.client_id:
        qs = qs.filter(client_id=f.client_id)
    if f.held:
        qs = qs.filter(held_for_review=True)
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(created_at__gte=datetime.combine(f.date_from, time.min, tzinfo=tz))
    if f.date_to:
        qs = qs.filter(created_at__lte=datetime.combine(f.date_to, time.max, tzinfo=tz))
    if f.search:
        qs = qs.filter(client__name__icontains=f.search) | qs.filter(order_id=f.search)
    return qs


def payment_clients_fill(payments: Sequence[Payment]) -> None:
    """Set `client_shown` on each payment: its client, or for one made without a client (an
    online sale, attached to a client afterwards) the client its purpose says it ended up
    with (`Purpose.clients`). One query per purpose among such payments, whatever their
    number; None when nobody is known."""
    clientless: dict[str, list[Payment]] = defaultdict(list)
    for payment in payments:
        payment.client_shown = payment.client  # type: ignore[attr-defined]
        if payment.client_id is None:
            clientless[payment.purpose].append(payment)
    declared = purposes_discover()
    for key, group in clientless.items():
        purpose = declared.get(key)
        if purpose is None or purpose.clients is None:
            continue
        found = purpose.clients(group)
        for payment in group:
            payment.client_shown = found.get(payment.pk)  # type: ignore[attr-defined]


def payment_title(payment: Payment) -> str:
    """What was paid, in the reader's language («Передоплата: Стрижка жіноча», «Абонемент
    «4 візити на місяць»», "Balance top-up"): the payment page's name, not its number. The
    purpose's own words (`Purpose.describe`), else the stored description, else its label."""
    return payment_description(payment) or purpose_label(payment.purpose)


def payment_purpose_label(payment: Payment) -> str:
    """What the payment is for, as people read it (the declaring app's label)."""
    return purpose_label(payment.purpose)


def checkout_form(payment: Payment, *, language: str = "uk") -> CheckoutForm:
    """The provider's checkout form for the payment page (built fresh on every view)."""
    client = payment.client
    first, _sep, last = (client.name if client else "").partition(" ")
    request = CheckoutRequest(
        order_id=payment.order_id,
        amount=payment.amount,
        currency=payment.currency,
        description=payment.description,
        result_url=return_url_for(payment) or payment.payment_url + "?return=1",
        server_url=callback_url(payment.account),
        language=language if language in ("uk", "en") else "uk",
        expires_at=payment.expires_at,
        client_first_name=last or first,
        client_last_name=first if last else "",
        client_email=getattr(client, "email", "") or "",
        client_phone=getattr(client, "phone", "") or "",
    )
    return provider_for(payment.account).build_checkout(request)
