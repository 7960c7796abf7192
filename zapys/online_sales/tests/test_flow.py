"""A purchase end to end through the sandbox provider: the plan's public page → e-mail →
the shared checkout → the sandbox's card and 3-D Secure → its signed callback → the success
page with the code (and the same in the outbox) → attached by staff → refunded through the
provider, with everything reversed in the same step."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_messaging import make_client
from tests.pages import staff_page
from zapys.core.exceptions import Conflict
from zapys.ledger.models import Entry, FinancialOperation, SalesReceiptPayment
from zapys.ledger.selectors import client_balance
from zapys.memberships.models import ClientMembership
from zapys.messaging.models import Message
from zapys.online_sales import services
from zapys.online_sales.models import OnlineSale
from zapys.payments.models import Payment
from zapys.payments.providers.sandbox import SUCCESS_CARD, THREE_DS_CODE
from zapys.payments.services import payment_succeed


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _buy_through_the_sandbox(client, org, plan, capture, *, phone="") -> OnlineSale:
    page = client.get(f"/shop/{org.slug}/{plan.pk}/?lang=en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="line-commission">3,000.00' in html.replace("\xa0", " ") or (
        "line-commission" in html
    )
    started = client.post(
        f"/shop/{org.slug}/{plan.pk}/?lang=en", {"email": "Buyer@Example.com", "phone": phone}
    )
    assert started.status_code == 302
    sale = OnlineSale.objects.get()
    assert started["Location"] == f"/shop/done/{sale.token}/"
    checkout = client.get(started["Location"]).content.decode()
    assert 'data-testid="checkout-form"' in checkout and "Online membership sale" in checkout
    fields = _hidden(checkout.split('data-testid="checkout-form"')[1])
    client.post("/payments/sandbox/checkout/", fields)
    client.post(
        "/payments/sandbox/checkout/", {**fields, "step": "card", "card_number": SUCCESS_CARD}
    )
    with capture(execute=True):
        done = client.post(
            "/payments/sandbox/checkout/", {**fields, "step": "3ds", "code": THREE_DS_CODE}
        )
    assert done.status_code == 302
    assert done["Location"] == f"http://testserver/shop/done/{sale.token}/?return=1"
    sale.refresh_from_db()
    return sale


def test_purchase_attach_and_refund_through_the_sandbox(
    client,
    staff_client,
    owner,
    org,
    branch,
    shop,
    sandbox_in_process,
    django_capture_on_commit_callbacks,
):
    sale = _buy_through_the_sandbox(client, org, shop, django_capture_on_commit_callbacks)
    assert sale.status == "paid" and sale.amount == 123_000
    page = client.get(f"/shop/done/{sale.token}/?return=1").content.decode()
    assert f'data-testid="activation-code">{sale.activation_code}<' in page
    # Reloaded: the same code, no second sale, no second money.
    again = client.get(f"/shop/done/{sale.token}/").content.decode()
    assert sale.activation_code in again and OnlineSale.objects.count() == 1
    assert FinancialOperation.objects.count() == 1
    mail = Message.objects.get(related_id=str(sale.pk))
    assert mail.recipient == "buyer@example.com" and sale.activation_code in mail.text

    # Staff: the code box (typed in lowercase with a space) → the attach dialog → saved.
    found = staff_client.get(
        "/online-sales/code/", {"code": sale.activation_code.lower().replace("-", " ")}
    )
    assert found["Location"] == f"/online-sales/{sale.pk}/"
    person = make_client(org, "Ковальчук Ірина", phone="+380501110000")
    saved = staff_client.post(
        f"/online-sales/{sale.pk}/", {"client_id": person.pk, "starts_on": "2026-12-15"}
    )
    assert saved.status_code == 302
    sale.refresh_from_db()
    membership = ClientMembership.objects.get(pk=sale.membership_id)
    assert (sale.status, membership.client_id, membership.sale_mode, str(membership.starts_on)) == (
        "attached",
        person.pk,
        "paid",
        "2026-12-15",
    )
    assert client_balance(person) == 0
    # The note names the client after a colon: «Закріплено за Савченко Софія» declined
    # nothing (after «за» a name needs the instrumental case).
    for language, words in (("uk", "Закріплено за клієнтом:"), ("en", "Attached to client:")):
        page = staff_page(staff_client, owner, language, "online_sales:sale", sale.pk)
        note = page.split('data-testid="attached-note"')[1].split("</div>")[0]
        assert words in note and "Ковальчук Ірина" in note

    refunded = staff_client.post(f"/online-sales/{sale.pk}/refund/")
    assert refunded.status_code == 302
    sale.refresh_from_db()
    membership.refresh_from_db()
    assert sale.status == "refunded" and membership.status == "cancelled"
    assert Payment.objects.get(pk=sale.payment_id).status == "refunded"
    # Every entry of the sale is reversed, and the till's income with them.
    assert not Entry.objects.filter(client=person, status="active").exists()
    assert list(FinancialOperation.objects.values_list("status", flat=True)) == ["cancelled"]
    assert client_balance(person) == 0
    assert 'data-testid="refunded"' in client.get(f"/shop/done/{sale.token}/").content.decode()


def test_an_unattached_purchase_refunded_cancels_its_income(
    client, org, branch, shop, sandbox_in_process, django_capture_on_commit_callbacks
):
    sale = _buy_through_the_sandbox(client, org, shop, django_capture_on_commit_callbacks)
    sale = services.online_sale_refund(sale=sale, actor=SYSTEM)
    assert sale.status == "refunded"
    operation = FinancialOperation.objects.get()
    assert operation.status == "cancelled" and operation.entry_id is None
    assert SalesReceiptPayment.objects.get(pk=sale.receipt_payment_id).status == "cancelled"
    with translation.override("en"), pytest.raises(Conflict, match="refunded"):
        services.online_sale_attach(sale=sale, client=make_client(org), actor=SYSTEM)


def test_the_success_page_waits_for_the_callback(client, org, branch, shop):
    """Back from the provider before its callback: the page waits (and reloads itself),
    then shows the code once the money is confirmed."""
    sale = services.online_sale_start(
        organization=org, plan=shop, email="b@example.com", actor=SYSTEM
    )
    waiting = client.get(f"/shop/done/{sale.token}/?return=1").content.decode()
    assert 'data-testid="waiting"' in waiting and 'http-equiv="refresh"' in waiting
    assert "activation-code" not in waiting
    payment_succeed(payment=Payment.objects.get(pk=sale.payment_id), actor=SYSTEM)
    sale.refresh_from_db()
    shown = client.get(f"/shop/done/{sale.token}/?return=1").content.decode()
    assert sale.activation_code in shown


def test_a_refund_the_provider_declines_reverses_nothing(
    staff_client, org, branch, shop, sandbox_in_process
):
    sale = services.online_sale_start(
        organization=org, plan=shop, email="b@example.com", actor=SYSTEM
    )
    # Paid without the sandbox knowing the charge: its refund API answers with an error.
    payment_succeed(payment=Payment.objects.get(pk=sale.payment_id), actor=SYSTEM)
    response = staff_client.post(f"/online-sales/{sale.pk}/refund/", follow=True)
    html = response.content.decode()
    # The staff are told, with the provider's reason.
    assert "alert-danger" in html and "відхилив повернення: not_found" in html
    sale.refresh_from_db()
    assert sale.status == "paid"
    assert list(FinancialOperation.objects.values_list("status", flat=True)) == ["active"]
