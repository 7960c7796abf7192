"""Refunds made in the payment provider's own dashboard (O5): the provider's signed callback
is recorded through the money service like a refund made from Zapys — a part on the
client's account, the whole reversing the purchase — and staff are told. Forged and
replayed callbacks change nothing."""

from __future__ import annotations

import secrets
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlencode

from tests.factories import SYSTEM
from tests.factories_messaging import make_client
from zapys.ledger.models import Entry, FinancialOperation
from zapys.ledger.selectors import client_balance
from zapys.memberships.models import ClientMembership
from zapys.messaging.models import StaffNotification
from zapys.online_sales import services
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.tests.test_flow import _buy_through_the_sandbox
from zapys.payments.models import Payment, PaymentEvent, PaymentRefund
from zapys.payments.providers.sandbox import encode, sign


def _dashboard_refund(client, payment: Payment, refunded_total: int, *, forged: bool = False):
    """The sandbox's callback after a refund made in its dashboard: `reversed`, with what
    was refunded in all, signed with the account's secret (or not, when forged)."""
    account = payment.account
    data = encode(
        {
            "account": account.public_id,
            "order_id": payment.order_id,
            "status": "reversed",
            "amount": payment.amount,
            "currency": payment.currency,
            "payment_id": payment.provider_payment_id or payment.order_id,
            "transaction_id": secrets.token_hex(6),
            "refunded": refunded_total,
        }
    )
    secret = "forged" if forged else account.credentials["secret"]
    fields = {"data": data, "signature": sign(secret, data)}
    return client.post(
        f"/payments/callback/sandbox/{account.public_id}/",
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    ), fields


PART = ("Part of an online sale was refunded", "Частину онлайн-продажу повернуто")
WHOLE = (
    "An online sale was refunded at the payment service",
    "Онлайн-продаж повернено в кабінеті платіжного сервісу",
)


def _told(titles):
    return StaffNotification.objects.filter(title__in=titles)


def _state(org, person=None):
    return (
        list(Payment.objects.values_list("status", "refunded_amount")),
        list(OnlineSale.objects.values_list("status", flat=True)),
        sorted(Entry.objects.values_list("purpose", "amount", "status")),
        sorted(FinancialOperation.objects.values_list("kind", "amount", "status")),
        PaymentRefund.objects.count(),
        client_balance(person) if person is not None else None,
    )


def test_a_part_refunded_in_the_dashboard_is_recorded_on_the_client(
    client, org, branch, shop, sandbox_in_process, django_capture_on_commit_callbacks
):
    sale = _buy_through_the_sandbox(client, org, shop, django_capture_on_commit_callbacks)
    person = make_client(org, name="Коваль Ірина", phone="+380671112233")
    sale = services.online_sale_attach(sale=sale, client=person, actor=SYSTEM)
    payment = Payment.objects.get(pk=sale.payment_id)
    assert client_balance(person) == 0

    # Forged: refused, nothing changes.
    before = _state(org, person)
    response, _fields = _dashboard_refund(client, payment, 30_000, forged=True)
    assert response.status_code == 400 and _state(org, person) == before

    response, fields = _dashboard_refund(client, payment, 30_000)
    assert response.status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", 30_000)
    refund = Entry.objects.get(purpose="refund")
    assert (refund.kind, refund.amount, refund.status) == ("credit", 30_000, "active")
    assert ("expense", 30_000, "active") in _state(org)[3]
    # The membership's price is lowered by as much: the client paid less for what they
    # keep, which is not a debt (the balance read −300,00 before).
    lowered = Entry.objects.get(purpose="correction")
    assert (lowered.kind, lowered.amount, lowered.account_id) == (
        "debit",
        30_000,
        refund.account_id,
    )
    assert client_balance(person) == 0
    membership = ClientMembership.objects.get(pk=sale.membership_id)
    assert membership.status == "active"
    told = _told(PART).get()
    assert "300,00" in told.body or "300.00" in told.body

    # Replayed (the same signed callback again): a duplicate, nothing changes.
    after = _state(org, person)
    again = client.post(
        f"/payments/callback/sandbox/{payment.account.public_id}/",
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 200 and _state(org, person) == after
    # A new report of the same total (a status poll, a resend with a new id): nothing new.
    _dashboard_refund(client, payment, 30_000)
    assert _state(org, person) == after

    # Then the rest, also in the dashboard: the purchase is reversed whole — the membership
    # cancelled with every entry (the part refund too) and the till's income with them.
    _dashboard_refund(client, payment, payment.amount)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == ("refunded", payment.amount)
    sale.refresh_from_db()
    membership.refresh_from_db()
    assert (sale.status, membership.status) == ("refunded", "cancelled")
    assert not Entry.objects.filter(client=person, status="active").exists()
    assert {s for _k, _a, s in _state(org)[3]} == {"cancelled"}
    assert client_balance(person) == 0
    assert _told(WHOLE).count() == 1
    assert PaymentEvent.objects.filter(outcome="held").count() == 0


def test_a_part_refunded_before_attaching_is_recorded_when_attached(
    client, org, branch, shop, sandbox_in_process, django_capture_on_commit_callbacks
):
    sale = _buy_through_the_sandbox(client, org, shop, django_capture_on_commit_callbacks)
    payment = Payment.objects.get(pk=sale.payment_id)
    _dashboard_refund(client, payment, 23_000)
    sale.refresh_from_db()
    assert sale.status == "paid"  # still to attach, with the code
    assert not Entry.objects.exists()  # no client yet: nothing on any account
    assert _told(PART).count() == 1

    # Two days later it is attached: the refund is recorded on the client, dated when the
    # money went back (it was dated at the attach).
    refunded_at = PaymentRefund.objects.get().confirmed_at
    assert refunded_at is not None
    later = refunded_at + timedelta(days=2)
    person = make_client(org, name="Бондар Тарас", phone="+380631112233")
    with patch("django.utils.timezone.now", return_value=later):
        services.online_sale_attach(sale=sale, client=person, actor=SYSTEM)
    refund = Entry.objects.get(purpose="refund")
    assert (refund.amount, refund.status, refund.created_at) == (23_000, "active", refunded_at)
    lowered = Entry.objects.get(purpose="correction")
    assert (lowered.kind, lowered.amount, lowered.created_at) == ("debit", 23_000, refunded_at)
    expense = FinancialOperation.objects.get(kind="expense")
    assert (expense.amount, expense.status, expense.created_at) == (23_000, "active", refunded_at)
    sold = Entry.objects.get(purpose="membership_sale")
    assert sold.created_at == later  # the attach itself is dated when it happened
    assert client_balance(person) == 0


def test_a_whole_refund_in_the_dashboard_of_an_unattached_purchase(
    client, org, branch, shop, sandbox_in_process, django_capture_on_commit_callbacks
):
    sale = _buy_through_the_sandbox(client, org, shop, django_capture_on_commit_callbacks)
    payment = Payment.objects.get(pk=sale.payment_id)
    _dashboard_refund(client, payment, payment.amount)
    sale.refresh_from_db()
    assert sale.status == "refunded"
    assert {s for _k, _a, s in _state(org)[3]} == {"cancelled"}
    assert not Payment.objects.filter(held_for_review=True).exists()
