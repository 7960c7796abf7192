"""Issue 17: the payment page after the payment is not a dead end — it says when it was
paid and for whom, how to reach the salon.

It does not link the client's cabinet: a payment link is forwarded (a relative or a company
pays), and whoever holds it must not reach the client's balance and visits through it."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from zapys.payments.services import payment_succeed


@pytest.mark.parametrize(
    ("language", "paid_on", "client_word", "my_page"),
    [
        ("en", "Paid on ", "Client: ", "My page: balance, visits and receipts"),
        ("uk", "Оплачено ", "Клієнт: ", "Моя сторінка: баланс, візити та чеки"),
    ],
)
def test_a_paid_payment_says_when_for_whom_whom_to_call_but_not_the_cabinet(
    org, branch, client, language, paid_on, client_word, my_page
):
    org.phone, org.address = "+380441110000", "вул. Організації, 1"
    org.save(update_fields=["phone", "address"])
    branch.phone, branch.address = "+380442220000", "вул. Філії, 2"
    branch.save(update_fields=["phone", "address"])
    make_account(org, "sandbox")
    payment = make_topup(org)
    payment.branch = branch
    payment.save(update_fields=["branch"])
    payment_succeed(payment=payment, actor=SYSTEM)
    payment.refresh_from_db()
    client.cookies["django_language"] = language
    html = client.get(f"/pay/{payment.token}/").content.decode()
    done = html.split('data-testid="payment-done"')[1]
    assert paid_on in done and str(payment.paid_at.year) in done
    assert f"{client_word}{payment.client.name}" in done
    contacts = html.split('data-testid="business-contacts"')[1]
    assert org.name in contacts and branch.name in contacts
    assert "вул. Філії, 2" in contacts and 'href="tel:+380442220000"' in contacts
    assert my_page not in html and f"/c/{payment.client.cabinet_token}/" not in html


def test_an_unpaid_payment_shows_no_done_block(org, client):
    make_account(org, "sandbox")
    payment = make_topup(org)
    html = client.get(f"/pay/{payment.token}/").content.decode()
    assert 'data-testid="payment-done"' not in html
    assert f"/c/{payment.client.cabinet_token}/" not in html
