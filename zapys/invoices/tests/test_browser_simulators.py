"""In headless Chromium on a phone, through the LiqPay and WayForPay simulators' own payment
pages (issue 13's acceptance): the payer opens the invoice link, types a part of the amount,
goes to payment, is sent to the provider's page, presses "Pay" there and comes back to the
invoice, which now reads "partially paid" with what is left; then pays the rest the same way
and the invoice is paid. Staff then see it on the invoice's page and the money on the
client's ledger. LiqPay is walked in Ukrainian, WayForPay in English; screenshots go to
$ZAPYS_SCREENSHOTS (default /tmp/shots) as inv_sim_<provider>_*.png."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By

from tests.browser import (
    DESKTOP,
    PHONE,
    as_phone,
    assert_fits_the_width,
    click_and_load,
    login,
    make_driver,
    screenshot,
    wait_for,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.core.tenancy import org_scope
from zapys.invoices import services
from zapys.invoices.models import InvoicePayment
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.payments.tests.conftest import liqpay_sim, wayforpay_sim  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser]

#: provider → (its simulator fixture, the page's language, the simulator's "Pay" button)
WALKS = {
    "liqpay": ("liqpay_sim", "uk", "#sim-success"),
    "wayforpay": ("wayforpay_sim", "en", "#sim-approved"),
}
WORDS = {
    "uk": {"partial": "Уже сплачено", "paid": "Оплачено", "go": "Перейти до оплати"},
    "en": {"partial": "Already paid", "paid": "Paid", "go": "Go to payment"},
}


@pytest.fixture
def studio(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія танцю Ритм")
    org.legal_name, org.phone = "ФОП Ритм Олена", "+380441234567"
    org.save()
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        make_staff(org, "owner", username="rytm-walks", branches=[branch])
        child = make_client(org, name="Коваленко Марія")
    return org, child


def _shows(text: str, hryvnias: int) -> bool:
    """The amount as either language writes it: '500,00 грн' or 'UAH 500.00'."""
    return re.search(rf"\b{hryvnias}[,.]00\b", text) is not None


def _pay_on_the_simulator(phone, pay_button: str, amount: str, go: str) -> None:
    """The invoice page's amount → "Go to payment" → the checkout's "Pay" (a form posted to
    the provider) → the simulator's page → its "Pay" button → back on the invoice."""
    field = wait_for(phone, "[data-testid=pay-amount]")
    field.clear()
    field.send_keys(amount)
    assert go in phone.find_element(By.CSS_SELECTOR, "[data-testid=go-to-payment]").text
    click_and_load(phone, "[data-testid=go-to-payment]")
    wait_for(phone, "[data-testid=pay-button]")
    click_and_load(phone, "[data-testid=pay-button]")
    wait_for(phone, pay_button)  # the provider's own page, off our site
    click_and_load(phone, pay_button)


@pytest.mark.parametrize("provider", sorted(WALKS))
def test_invoice_paid_in_parts_through_the_provider_simulator(
    request, live_server, studio, provider
):
    fixture, language, pay_button = WALKS[provider]
    sim = request.getfixturevalue(fixture)
    words = WORDS[language]
    org, child = studio
    with org_scope(org):
        account = make_account(org, provider)
        services.invoice_settings_update(organization=org, actor=SYSTEM, payment_account=account)
        invoice = services.invoice_create(
            client=child,
            calculation="manual",
            amount=120_000,
            allow_partial=True,
            comment="Грудень",
            actor=SYSTEM,
        )
    phone = make_driver(PHONE, language=language)
    try:
        as_phone(phone)
        phone.get(f"{invoice.url}?lang={language}")
        wait_for(phone, "[data-testid=invoice-page][data-status=awaiting]")
        assert_fits_the_width(phone)
        screenshot(phone, f"inv_sim_{provider}_1_invoice")

        # A part: 500 of 1 200.
        _pay_on_the_simulator(phone, pay_button, "500", words["go"])
        assert sim.base_url not in phone.current_url, "back on our site"
        wait_for(phone, "[data-testid=invoice-page][data-status=partially_paid]", timeout=30)
        assert _shows(wait_for(phone, "[data-testid=paid-amount]").text, 500)
        assert _shows(phone.find_element(By.CSS_SELECTOR, "[data-testid=amount]").text, 700)
        body = phone.find_element(By.TAG_NAME, "body").text
        assert words["partial"] in body
        received = wait_for(phone, "[data-testid=payment-received]").text
        assert _shows(received, 500) and _shows(received, 700)
        assert not phone.find_elements(By.CSS_SELECTOR, "[data-testid=page-state-waiting]")
        assert_fits_the_width(phone)
        screenshot(phone, f"inv_sim_{provider}_2_partially_paid")

        # The rest.
        _pay_on_the_simulator(phone, pay_button, "700", words["go"])
        wait_for(phone, "[data-testid=invoice-page][data-status=paid]", timeout=30)
        assert words["paid"] in wait_for(phone, "[data-testid=page-state]").text
        assert_fits_the_width(phone)
        screenshot(phone, f"inv_sim_{provider}_3_paid")
    except Exception:
        screenshot(phone, f"inv_sim_{provider}_failed")
        raise
    finally:
        phone.quit()

    with org_scope(org):
        invoice.refresh_from_db()
        assert (invoice.status, invoice.paid_amount) == ("paid", 120_000)
        parts = InvoicePayment.objects.filter(invoice=invoice).order_by("pk")
        assert [p.amount for p in parts] == [50_000, 70_000]
        assert client_balance(child) == 120_000
        assert Entry.objects.filter(client=child, status="active").count() == 2
    assert len(sim.orders) == 2

    staff = make_driver(DESKTOP)
    try:
        login(staff, live_server, "rytm-walks", PASSWORD)
        staff.get(f"{live_server.url}/finance/invoices/{invoice.pk}/")
        status = wait_for(staff, "[data-testid=invoice-status]").text
        assert "Оплачено" in status  # the staff's organization speaks Ukrainian
        payments = staff.find_element(By.CSS_SELECTOR, "[data-testid=invoice-payments]").text
        assert _shows(payments, 500) and _shows(payments, 700)
        screenshot(staff, f"inv_sim_{provider}_4_staff_invoice")
        staff.get(f"{live_server.url}/clients/{child.pk}/payments/")
        ledger = wait_for(staff, "main").text
        assert invoice.number in ledger and _shows(ledger, 500) and _shows(ledger, 700)
        screenshot(staff, f"inv_sim_{provider}_5_ledger")
    finally:
        staff.quit()
