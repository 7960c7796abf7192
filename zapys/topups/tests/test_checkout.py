"""The top-up on the one checkout (`/pay/<token>/`): what a top-up offers (no balance,
"Try again" after a declined card), both languages, and the page's constant query count."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_client, make_topup
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.payments.checkout import checkout_context
from zapys.payments.models import Payment
from zapys.payments.services import payment_fail, payment_succeed
from zapys.topups.services import top_up_retry


def _page(client, payment: Payment, query: str = "") -> str:
    response = client.get(f"/pay/{payment.token}/{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture(autouse=True)
def _english_page(client) -> None:
    client.cookies["django_language"] = "en"  # the client's switch; the organization is uk


def test_a_top_up_checkout_never_offers_the_balance(org, client):
    """Paying a top-up from the balance would move nothing: even with money on the balance
    the checkout shows the provider's form and no balance option, and a forged "balance"
    POST changes nothing."""
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=30_000)
    entry_create(client=payment.client, kind="debit", amount=90_000, purpose="top_up", actor=SYSTEM)
    with translation.override("en"):
        checkout = checkout_context(payment, language="en")
    assert checkout is not None
    assert (checkout.label, checkout.covered, checkout.balance_covers) == (
        "Balance top-up",
        0,
        False,
    )
    assert checkout.agreement is None and checkout.accepted and not checkout.can_retry
    assert checkout.form is not None and checkout.form.action.endswith(
        "/payments/sandbox/checkout/"
    )

    html = _page(client, payment)
    assert 'data-testid="checkout-form"' in html and 'data-testid="payment-amount"' in html
    assert 'data-testid="covered"' not in html and 'data-testid="pay-balance"' not in html
    assert 'data-testid="agreement-form"' not in html

    entries = Entry.objects.count()
    refused = client.post(f"/pay/{payment.token}/", {"action": "balance"})
    assert refused.status_code == 200
    assert "cannot be paid from the balance" in refused.content.decode()
    payment.refresh_from_db()
    assert payment.status == "pending" and Payment.objects.count() == 1
    assert Entry.objects.count() == entries and client_balance(payment.client) == 90_000


def test_the_top_up_page_speaks_both_languages_without_raw_keys(org, client):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=25_050)
    client.cookies["django_language"] = "uk"
    html = _page(client, payment)
    assert "Поповнення балансу" in html and "250,50" in html and "Оплатити" in html
    assert "top_up" not in html.replace('data-purpose="top_up"', "")
    assert "25050" not in html  # kopecks never reach the page
    client.cookies["django_language"] = "en"
    html = _page(client, payment)
    assert "Balance top-up" in html and "250.50" in html and "Secure payment by" in html
    # what it is for, in the page's language (the stored description went to the provider in
    # the organization's: Ukrainian)
    Payment.objects.for_org(org).filter(pk=payment.pk).update(description="Поповнення: Salon A")
    html = _page(client, payment)
    assert "Balance top-up" in html and "Поповнення" not in html


def test_a_declined_top_up_is_tried_again_from_the_same_link(org, client):
    account = make_account(org, "sandbox")
    first = make_topup(org, account=account, amount=40_000)
    payment_fail(payment=first, actor=SYSTEM)  # the provider declined the card
    # Back from the provider: the decline and "Try again", no provider form, not "waiting".
    html = _page(client, first, "?return=1")
    assert 'data-testid="payment-declined"' in html and 'data-testid="pay-again"' in html
    assert "checkout-form" not in html and "spinner-border" not in html

    response = client.post(f"/pay/{first.token}/", {"action": "retry"})
    second = Payment.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/pay/{second.token}/"
    assert (second.retry_of_id, second.status, second.purpose) == (first.pk, "pending", "top_up")
    assert (second.amount, second.client_id, second.account_id, second.branch_id) == (
        first.amount,
        first.client_id,
        first.account_id,
        first.branch_id,
    )
    first.refresh_from_db()
    assert first.status == "failed"  # kept for the record
    created = AuditLog.objects.get(action="payment.create", object_id=str(second.pk))
    assert created.changes["retry_of"] == [None, first.pk]
    html = _page(client, second)
    assert 'data-testid="checkout-form"' in html and "pay-again" not in html

    # A second "Try again" from the old link (another tab) opens no third payment.
    again = client.post(f"/pay/{first.token}/", {"action": "retry"})
    assert again["Location"] == f"/pay/{second.token}/"
    assert Payment.objects.count() == 2

    payment_succeed(payment=second, actor=SYSTEM)
    assert client_balance(first.client) == 40_000  # credited once, by the second attempt


def test_retry_is_refused_while_the_payment_is_open_or_paid(org, client):
    payment = make_topup(org, account=make_account(org, "sandbox"))
    audit_rows = AuditLog.objects.count()
    refused = client.post(f"/pay/{payment.token}/", {"action": "retry"})
    assert refused.status_code == 200
    assert "Only a declined payment can be tried again." in refused.content.decode()
    payment_succeed(payment=payment, actor=SYSTEM)
    audit_rows = AuditLog.objects.count()
    paid = client.post(f"/pay/{payment.token}/", {"action": "retry"})
    assert paid.status_code == 200 and 'data-status="succeeded"' in paid.content.decode()
    assert "pay-again" not in paid.content.decode()
    assert Payment.objects.count() == 1 and AuditLog.objects.count() == audit_rows


def test_a_top_up_of_a_deleted_client_is_not_retried(org):
    from django.utils import timezone

    from zapys.clients.models import Client
    from zapys.core.exceptions import Conflict

    payment = make_topup(org, account=make_account(org, "sandbox"))
    payment_fail(payment=payment, actor=SYSTEM)
    Client.objects.filter(pk=payment.client_id).update(deleted_at=timezone.now())
    payment.refresh_from_db()
    with pytest.raises(Conflict):
        top_up_retry(payment, SYSTEM)
    assert Payment.objects.count() == 1


# --------------------------------------------------------------------------- query counts


def _count(django_assert_num_queries, client, url: str, expected: int) -> None:
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("history", [1, 12])
def test_the_top_up_page_costs_the_same_queries_whatever_the_history(
    org, client, django_assert_num_queries, history
):
    """Open, declined (with "Try again") and paid: a fixed number of queries each, however
    many attempts and ledger entries the client has."""
    account = make_account(org, "sandbox")
    customer = make_client(org)
    for _ in range(history):
        old = make_topup(org, account=account, client=customer, amount=1_000)
        payment_succeed(payment=old, actor=SYSTEM)
    payment = make_topup(org, account=account, client=customer)
    # token limit (1) + the payment with its organization, account and client (1)
    # + its first open recorded for the link funnel (1, only the first time)
    _count(django_assert_num_queries, client, f"/pay/{payment.token}/", 3)
    payment_fail(payment=payment, actor=SYSTEM)
    _count(django_assert_num_queries, client, f"/pay/{payment.token}/", 2)
    retried = top_up_retry(payment, SYSTEM)
    payment_succeed(payment=retried, actor=SYSTEM)
    _count(django_assert_num_queries, client, f"/pay/{retried.token}/", 3)  # its first open
