"""Issue 17, the reviewers' tour of the public payment page `/pay/<token>/`: one verb for
"paid" («Оплачено. Дякуємо!» and «Оплачено 4 грудня», not «Сплачено» beside it), the salon's
name, address and phone whatever became of the payment (a failed or expired one says
"please contact us" and must say how), and the phone written as people read it."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from zapys.clients.phones import display_phone
from zapys.payments.models import Payment
from zapys.payments.services import payment_expire, payment_fail, payment_succeed


def _page(client, payment: Payment, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(f"/pay/{payment.token}/")
    assert response.status_code == 200
    return response.content.decode()


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


@pytest.fixture
def salon(org, branch):
    org.phone, org.address = "+380441110000", "вул. Організації, 1"
    org.save(update_fields=["phone", "address"])
    branch.phone, branch.address = "+380442220000", "вул. Філії, 2"
    branch.save(update_fields=["phone", "address"])
    make_account(org, "sandbox")
    return org


def _topup(org, branch) -> Payment:
    payment = make_topup(org)
    payment.branch = branch
    payment.save(update_fields=["branch"])
    return payment


def test_a_paid_payment_says_paid_with_one_verb(salon, branch, client):
    payment = _topup(salon, branch)
    payment_succeed(payment=payment, actor=SYSTEM)
    html = _page(client, payment, "uk")
    card = _text(
        html.split('data-testid="payment-page"')[1].split('data-testid="business-contacts"')[0]
    )
    assert "Оплачено. Дякуємо!" in card and re.search(r"Оплачено \d{1,2} \w+ \d{4}", card), card
    assert "Сплачено" not in html
    assert "Paid on " in _page(client, payment, "en")


@pytest.mark.parametrize("state", ["succeeded", "failed", "expired", "refunded"])
@pytest.mark.parametrize("language", ["uk", "en"])
def test_every_final_state_names_the_salon_and_how_to_call_it(
    salon, branch, client, state, language
):
    """It said "The payment did not go through… Please contact us." with no number to call,
    and "refunded" with nothing at all; the expired state named the organization's phone
    before the branch's, where the client goes."""
    payment = _topup(salon, branch)
    if state == "succeeded":
        payment_succeed(payment=payment, actor=SYSTEM)
    elif state == "failed":
        payment_fail(payment=payment, actor=SYSTEM)
    elif state == "expired":
        payment_expire(payment=payment, actor=SYSTEM)
    else:
        payment_succeed(payment=payment, actor=SYSTEM)
        Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.REFUNDED)
    payment.refresh_from_db()
    assert payment.status == state
    html = _page(client, payment, language)
    # a failed top-up offers "Try again" (its purpose retries); the salon is there too
    assert ('data-testid="checkout"' in html) == (state == "failed")
    contacts = html.split('data-testid="business-contacts"')[1].split(
        'data-testid="business-phone"'
    )[1]
    block = _text(html.split('data-testid="business-contacts"')[1].split("</footer>")[0])
    assert salon.name in block and branch.name in block and "вул. Філії, 2" in block
    assert html.count('data-testid="business-phone"') == 1
    # the branch's number, as people write it; the link dials the stored E.164
    assert 'href="tel:+380442220000"' in html and "+380 44 222 00 00" in contacts
    assert "+380442220000<" not in html and "+380441110000" not in html


def test_an_open_payment_shows_the_checkout_the_salon_and_no_done_block(salon, branch, client):
    payment = _topup(salon, branch)
    html = _page(client, payment, "uk")
    assert 'data-testid="checkout"' in html and "+380 44 222 00 00" in html
    assert 'data-testid="payment-done"' not in html and 'data-testid="payment-state"' not in html


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+380441234567", "+380 44 123 45 67"),  # Kyiv: the last four in pairs
        ("+380671234567", "+380 67 123 45 67"),  # a mobile
        ("+380322123456", "+380 322 123 456"),  # a three-digit code: as phonenumbers groups it
        ("+48221234567", "+48 22 123 45 67"),  # another country: its own format
        ("+12025550123", "+1 202-555-0123"),
        ("044 123 45 67", "044 123 45 67"),  # typed without the country: as stored
        ("", ""),
    ],
)
def test_a_phone_reads_as_people_write_it(stored, shown):
    assert display_phone(stored) == shown
    rendered = Template("{% load phones %}{{ number|phone }}").render(Context({"number": stored}))
    assert rendered == shown
