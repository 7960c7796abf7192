"""The one checkout (`payments.checkout`, `payments/_checkout.html`) on the payment page
`/pay/<token>/`: the agreement of any purpose that declares one, and the deadline in the
organization's time. (What a top-up offers there: zapys/topups/tests/test_checkout.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_client
from zapys.core.audit import Actor, audit_record
from zapys.core.models import AuditLog
from zapys.payments.models import Payment
from zapys.payments.purposes import (
    Acceptance,
    Agreement,
    Purpose,
    purpose_declare,
    purpose_withdraw,
)
from zapys.payments.services import payment_create


def _page(client, payment: Payment, query: str = "") -> str:
    response = client.get(f"/pay/{payment.token}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _signed_fields(html: str) -> set[str]:
    return set(re.findall(r'<input type="hidden" name="([^"]+)"', html)) - {"csrfmiddlewaretoken"}


@pytest.fixture(autouse=True)
def _english_page(client) -> None:
    client.cookies["django_language"] = "en"  # the client's switch; the organization is uk


# --------------------------------------------------------------------------- any purpose's terms


TERMS = "Gift cards are not refundable."


def _terms_accepted(payment: Payment) -> bool:
    return AuditLog.objects.filter(action="gift.terms_accepted", object_id=str(payment.pk)).exists()


def _gift_agreement(payment: Payment) -> Agreement:
    return Agreement(text=TERMS, accepted=_terms_accepted(payment))


def _gift_accept(payment: Payment, acceptance: Acceptance) -> None:
    audit_record(
        organization=payment.organization,
        actor=Actor.client_link(f"payment {payment.pk}"),
        action="gift.terms_accepted",
        obj=payment,
        changes={"ip": acceptance.ip, "user_agent": acceptance.user_agent},
    )


def _noop(*args: object) -> None:
    return None


@pytest.fixture
def gift_purpose() -> Iterator[Purpose]:
    """A purpose of another app that asks for its own terms (an online gift-card sale)."""
    purpose = purpose_declare(
        Purpose(
            key="gift_card",
            label="Gift card",
            on_succeeded=_noop,
            on_failed=_noop,
            on_refunded=_noop,
            return_url=lambda payment: None,
            agreement=_gift_agreement,
            agreement_accept=_gift_accept,
        )
    )
    try:
        yield purpose
    finally:
        purpose_withdraw("gift_card")


def test_any_purpose_with_terms_shows_no_provider_form_until_they_are_accepted(
    org, client, gift_purpose
):
    payment = payment_create(
        organization=org,
        account=make_account(org, "sandbox"),
        purpose="gift_card",
        purpose_object=None,
        client=make_client(org),
        amount=150_000,
        currency="UAH",
        description="Gift card 1 500",
        actor=SYSTEM,
    )
    html = _page(client, payment)
    assert 'data-testid="agreement-form"' in html and TERMS in html
    # The provider's signed fields are what it accepts: they are not on the page at all.
    assert "checkout-form" not in html and not _signed_fields(html)

    for refused in ({}, {"accept": "off"}, {"action": "retry"}, {"action": "balance"}):
        page = client.post(f"/pay/{payment.token}/", refused)
        assert page.status_code == 200, refused
        body = page.content.decode()
        assert 'data-testid="agreement-missing"' in body and "is-invalid" in body
        assert "checkout-form" not in body and not _signed_fields(body)
    assert not _terms_accepted(payment) and Payment.objects.count() == 1

    done = client.post(f"/pay/{payment.token}/", {"accept": "on"}, HTTP_USER_AGENT="Phone/2.0")
    assert done.status_code == 302 and done["Location"] == f"/pay/{payment.token}/"
    accepted = AuditLog.objects.get(action="gift.terms_accepted")
    assert accepted.changes == {"ip": "127.0.0.1", "user_agent": "Phone/2.0"}
    html = _page(client, payment)
    assert 'data-testid="checkout-form"' in html and "agreement-form" not in html
    assert {"data", "signature"} <= _signed_fields(html)


def test_a_purpose_declares_its_terms_and_their_recording_together():
    with pytest.raises(ValueError):
        Purpose(
            key="half_terms",
            label="x",
            on_succeeded=_noop,
            on_failed=_noop,
            on_refunded=_noop,
            return_url=_noop,
            agreement=_gift_agreement,
        )


# --------------------------------------------------------------------------- the page


def test_the_payment_page_says_the_deadline_in_the_organizations_time(client, db):
    """A New York studio's client sees "pay by" in New York time, not the server's Kyiv."""
    from datetime import UTC, datetime

    from tests.factories import make_branch, make_org
    from zapys.core.tenancy import org_scope

    far = make_org("Studio NY", time_zone="America/New_York", language="en")
    with org_scope(far):
        make_branch(far)
        payment = payment_create(
            organization=far, account=make_account(far, "sandbox"), purpose="top_up",
            purpose_object=None, client=make_client(far), amount=5000, currency="UAH",
            description="", actor=SYSTEM,
            expires_at=datetime(2027, 1, 15, 16, 30, tzinfo=UTC),
        )  # fmt: skip
    page = client.get(payment.payment_url).content.decode()
    pay_by = re.search(r'data-testid="pay-by">([^<]*)<', page).group(1)
    assert "11:30" in pay_by  # 16:30 UTC is 11:30 in New York (EST)
    assert "18:30" not in pay_by  # the server's Europe/Kyiv
