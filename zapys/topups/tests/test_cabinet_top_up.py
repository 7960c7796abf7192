"""The client's own top-up from the cabinet (`topups:cabinet_top_up`): a valid amount opens
the shared checkout in the branch chosen in the prepayment settings (B2); 0, words, or more
than the limit are the field's error with nothing created; a card the link may not see, an
unknown or regenerated token are the 404 page."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM, make_branch
from tests.factories_payments import make_account
from tests.factories_prepayments import enable_prepayment, make_client
from zapys.clients.services import client_cabinet_link_regenerate
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.payments.models import Payment


def _url(token: str) -> str:
    return f"/c/{token}/top-up/"


@pytest.fixture(autouse=True)
def _english(client) -> None:
    client.cookies["django_language"] = "en"


def test_a_top_up_opens_the_checkout_in_the_chosen_branch(org, branch, client):
    second = make_branch(org, "Obolon")
    enable_prepayment(org, topup_branch=second)
    customer = make_client(org)
    response = client.post(_url(customer.cabinet_token), {"amount": "250,50"})
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pay/{payment.token}/"
    assert (payment.purpose, payment.amount, payment.client_id, payment.branch_id) == (
        "top_up",
        25050,
        customer.pk,
        second.pk,
    )
    assert AuditLog.objects.get(action="payment.create").actor_kind == "client_link"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "250.50" in page.content.decode()


def test_without_a_chosen_branch_the_money_service_decides(org, branch, client):
    make_account(org, "sandbox")
    customer = make_client(org)
    assert client.post(_url(customer.cabinet_token), {"amount": "100"}).status_code == 302
    assert Payment.objects.get().branch_id is None


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be greater than zero."),
        ("-5", "The amount must be greater than zero."),
        ("abc", "Enter an amount, e.g. 150 or 150,50."),
        ("", "This field is required."),
        ("50000,01", "The most you can top up at once is"),
    ],
)
def test_a_bad_amount_is_the_fields_error_and_nothing_changes(org, client, amount, message):
    make_account(org, "sandbox")
    customer = make_client(org)
    audit_rows = AuditLog.objects.count()
    response = client.post(_url(customer.cabinet_token), {"amount": amount})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "is-invalid" in html and 'data-testid="top-up-form"' in html
    assert f'href="/c/{customer.cabinet_token}/"' in html  # back to the cabinet
    assert not Payment.objects.exists() and AuditLog.objects.count() == audit_rows


def test_the_limit_is_a_setting(org, client, settings):
    settings.ZAPYS_CLIENT_TOP_UP_MAX = 10_000
    make_account(org, "sandbox")
    customer = make_client(org)
    html = client.post(_url(customer.cabinet_token), {"amount": "100,01"}).content.decode()
    assert "The most you can top up at once is UAH\xa0100.00." in html
    assert not Payment.objects.exists()
    assert client.post(_url(customer.cabinet_token), {"amount": "100"}).status_code == 302


def test_no_payment_account_is_said_on_the_page(org, client):
    customer = make_client(org)
    response = client.post(_url(customer.cabinet_token), {"amount": "100"})
    assert response.status_code == 200 and 'data-testid="top-up-form"' in response.content.decode()
    assert not Payment.objects.exists()


def test_a_family_member_is_topped_up_and_nobody_else(org, other_org, client):
    make_account(org, "sandbox")
    parent = make_client(org, phone="+380501112233")
    child = make_client(org, phone="+380501112233")
    stranger = make_client(org)
    with org_scope(other_org):
        foreign = make_client(other_org, phone="+380501112233")
    for card in (stranger.pk, foreign.pk, "x"):
        response = client.post(_url(parent.cabinet_token), {"amount": "100", "card": card})
        assert response.status_code == 404
    assert not Payment.objects.exists()
    assert (
        client.post(_url(parent.cabinet_token), {"amount": "100", "card": child.pk}).status_code
        == 302
    )
    assert Payment.objects.get().client_id == child.pk


def test_unknown_and_old_tokens_are_404_and_get_is_refused(org, client):
    make_account(org, "sandbox")
    customer = make_client(org)
    old = customer.cabinet_token
    client_cabinet_link_regenerate(client=customer, actor=SYSTEM)
    assert client.post(_url(old), {"amount": "100"}).status_code == 404
    assert client.post(_url("nope"), {"amount": "100"}).status_code == 404
    assert client.get(_url(customer.cabinet_token)).status_code == 405
    assert not Payment.objects.exists()
