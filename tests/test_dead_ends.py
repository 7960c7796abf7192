"""Pages that left a person with nowhere to go (issue 17, "Dead ends")."""

from __future__ import annotations

import pytest

from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.payments.models import Payment
from zapys.prepayments import sweeps

pytestmark = pytest.mark.django_db


def test_an_expired_prepayment_page_offers_the_business_phone(client, org, branch):
    """ "Please contact us" with a number to call, as a tel: link (the branch's when the
    organization has none)."""
    enable_prepayment(org)
    make_booking_type(org, "fixed", 20_000)
    branch.phone = "+380441234567"
    branch.save(update_fields=["phone"])
    booking = make_booking(org, branch)
    sweeps.sweep(booking.expires_at)
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert 'data-testid="expired-message"' in page
    assert 'href="tel:+380441234567"' in page and 'data-testid="business-phone"' in page
    org.phone = "+380671112233"
    org.save(update_fields=["phone"])
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert 'href="tel:+380671112233"' in page


def test_an_expired_payment_page_offers_the_business_phone(client, org, branch):
    from tests.factories_payments import make_account, make_topup

    make_account(org)
    org.phone = "+380671112233"
    org.save(update_fields=["phone"])
    payment = make_topup(org)
    Payment.objects.filter(pk=payment.pk).update(status="expired")
    page = client.get(f"/pay/{payment.token}/").content.decode()
    assert 'href="tel:+380671112233"' in page
