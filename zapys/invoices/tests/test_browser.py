"""In headless Chromium: staff issue a manual invoice from the client card, the payer opens
the link on a phone in Ukrainian, goes to payment and pays on the sandbox → the invoice is
paid and the money is on the client's account; an archived invoice's link shows the expired
message with the business's phone. Screenshots go to /tmp/shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from tests.browser import PHONE, click_and_load, login, make_driver, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.core.tenancy import org_scope
from zapys.invoices import services
from zapys.invoices.models import Invoice
from zapys.ledger.selectors import client_balance

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/shots")


@pytest.fixture
def studio(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія танцю Ритм")
    org.legal_name, org.tax_id, org.iban = (
        "ФОП Ритм Олена",
        "3012345678",
        "UA213223130000026007233566001",
    )
    org.offer_url, org.phone = "https://rytm.example/oferta", "+380441234567"
    org.save()
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        user = make_staff(org, "owner", username="rytm-owner", branches=[branch])
        make_account(org, "sandbox")
        child = make_client(org, name="Коваленко Марія")
    return org, user, child


def _press(driver, css: str) -> None:
    """Scroll the button into view at once (a long form's button sits under the fold, and
    Bootstrap's smooth scrolling would still be moving it under the click), then click it
    and wait for the page it loads."""
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", wait_for(driver, css)
    )
    click_and_load(driver, css)


def test_manual_invoice_paid_on_a_phone_in_ukrainian(browser, live_server, studio):
    SHOTS.mkdir(exist_ok=True)
    org, user, child = studio
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/clients/{child.pk}/invoices/new/")
    wait_for(browser, "[data-testid=invoice-form]")
    browser.find_element(By.NAME, "amount").send_keys("1 200")
    browser.find_element(By.NAME, "comment").send_keys("Грудень")
    _press(browser, "[data-testid=save-invoice]")
    link = wait_for(browser, "[data-testid=invoice-url]").get_attribute("value")
    browser.save_screenshot(str(SHOTS / "invoice-detail.png"))
    assert link and "/i/" in link
    phone = make_driver(PHONE, language="uk")
    try:
        phone.get(link)
        wait_for(phone, "[data-testid=invoice-page][data-status=awaiting]")
        page_text = phone.find_element(By.TAG_NAME, "body").text
        assert "Перейти до оплати" in page_text and "1 200,00" in page_text
        assert "ФОП Ритм Олена" in page_text
        phone.save_screenshot(str(SHOTS / "invoice-phone-uk.png"))
        _press(phone, "[data-testid=go-to-payment]")
        wait_for(phone, "[data-testid=pay-button]")
        phone.save_screenshot(str(SHOTS / "invoice-phone-checkout.png"))
        _press(phone, "[data-testid=pay-button]")
        wait_for(phone, "[data-testid=sandbox-pay]")
        phone.find_element(By.NAME, "card_number").send_keys("4242 4242 4242 4242")
        _press(phone, "[data-testid=sandbox-pay]")
        wait_for(phone, "[data-testid=sandbox-confirm]")
        phone.find_element(By.NAME, "code").send_keys("1234")
        _press(phone, "[data-testid=sandbox-confirm]")
        # back on the invoice: "waiting" until the callback lands, then paid
        wait_for(phone, "[data-testid=invoice-page][data-status=paid]", timeout=30)
        assert "Оплачено" in phone.find_element(By.TAG_NAME, "body").text
        phone.save_screenshot(str(SHOTS / "invoice-phone-paid.png"))
        with org_scope(org):
            invoice = Invoice.objects.get()
            assert (invoice.status, invoice.paid_amount) == ("paid", 120_000)
            assert client_balance(child) == 120_000
            closed = services.invoice_create(
                client=child, calculation="manual", amount=50_000, actor=SYSTEM
            )
            services.invoice_archive(invoice=closed, actor=SYSTEM)
        phone.get(closed.url)
        message = wait_for(phone, "[data-testid=expired-message]").text
        assert "Цей рахунок закрито" in message and "+380 44 123 45 67" in message
        # nothing to pay: no form at all (the language switch is two links)
        assert phone.find_elements(By.TAG_NAME, "form") == []
        assert phone.find_elements(By.CSS_SELECTOR, "[data-testid=language-switch]")
        phone.save_screenshot(str(SHOTS / "invoice-phone-expired.png"))
    finally:
        phone.quit()
