"""The public invoice page's first open is the payment-link funnel's "opened" (X9): stored
once on the invoice, not for the organization's own staff, and carried to each payment
attempt started from the page (`Payment.opened_at`, what `reports.funnel` reads)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.invoices import services
from zapys.invoices.models import Invoice
from zapys.payments.models import Payment


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _invoice(org):
    return services.invoice_create(
        client=make_client(org, name="Бондар Ірина"),
        calculation="manual",
        amount=35_000,
        actor=SYSTEM,
    )


def _opened(invoice):
    return Invoice.objects.get(pk=invoice.pk).opened_at


def test_the_first_open_is_stored_once(org, client):
    invoice = _invoice(org)
    assert _opened(invoice) is None
    before = timezone.now()
    assert client.get(f"/i/{invoice.token}/").status_code == 200
    first = _opened(invoice)
    assert first is not None and first >= before
    client.get(f"/i/{invoice.token}/")  # a refresh, another tab
    assert _opened(invoice) == first


def test_the_organizations_staff_opening_it_is_not_an_open(org, staff_client):
    invoice = _invoice(org)
    assert staff_client.get(f"/i/{invoice.token}/").status_code == 200
    assert _opened(invoice) is None


def test_a_payment_started_from_the_page_was_opened_when_the_page_was(org, branch, client):
    make_account(org, "sandbox")
    invoice = _invoice(org)
    client.get(f"/i/{invoice.token}/")
    opened = _opened(invoice)
    assert client.post(f"/i/{invoice.token}/", {"action": "start"}).status_code == 302
    client.get(f"/i/{invoice.token}/")  # the page now shows the provider's form
    payment = Payment.objects.get(purpose="invoice")
    assert payment.opened_at == opened
    # a later attempt (a new amount) is opened too, at the invoice's first open
    Invoice.objects.filter(pk=invoice.pk).update(payment=None)
    second = services.invoice_payment_start(
        invoice=Invoice.objects.get(pk=invoice.pk), actor=SYSTEM
    )
    assert Payment.objects.get(pk=second.pk).opened_at is None
    client.get(f"/i/{invoice.token}/")
    assert Payment.objects.get(pk=second.pk).opened_at == opened


def test_service_ignores_staff_and_keeps_the_first_moment(org, owner):
    invoice = _invoice(org)
    moment = timezone.now() - timedelta(hours=2)
    assert services.invoice_opened_record(invoice, viewer=owner, now=moment) is False
    assert _opened(invoice) is None
    assert services.invoice_opened_record(invoice, now=moment) is True
    assert services.invoice_opened_record(invoice, now=moment + timedelta(hours=1)) is False
    assert _opened(invoice) == moment
