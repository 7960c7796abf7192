"""A sandbox top-up in a real browser: staff creates the link, the client pays on the
sandbox card form with 3-D Secure, and the payment page shows it paid."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser import click_and_load, login, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_payments import make_account, make_client
from zapys.core.tenancy import org_scope
from zapys.payments.models import Payment

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        make_account(org, "sandbox")
        client = make_client(org, "Шевчук Марія")
    return org, user, client


def test_sandbox_topup_paid_in_browser(browser, live_server, salon, tmp_path):
    org, user, client = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/clients/{client.pk}/top-up/")
    browser.find_element(By.NAME, "amount").send_keys("250,50")
    click_and_load(browser, "[data-testid=create-topup]")
    url = wait_for(browser, "[data-testid=topup-url]").get_attribute("value")
    assert url.startswith(live_server.url + "/pay/")

    browser.get(url)  # the client opens the link
    assert "250,50" in browser.find_element(By.CSS_SELECTOR, "[data-testid=payment-amount]").text
    browser.save_screenshot(str(tmp_path / "payment-page.png"))
    click_and_load(browser, "[data-testid=pay-button]")
    wait_for(browser, "[data-testid=sandbox-pay]")
    browser.find_element(By.NAME, "card_number").send_keys("4242 4242 4242 4242")
    click_and_load(browser, "[data-testid=sandbox-pay]")
    wait_for(browser, "[data-testid=sandbox-confirm]")
    browser.find_element(By.NAME, "code").send_keys("1234")
    click_and_load(browser, "[data-testid=sandbox-confirm]")
    page = wait_for(browser, "[data-testid=payment-page][data-status=succeeded]")
    assert page.find_element(By.CSS_SELECTOR, "[data-testid=payment-state]").text
    browser.save_screenshot(str(tmp_path / "payment-paid.png"))

    with org_scope(org):
        payment = Payment.objects.get()
        assert (payment.status, payment.amount) == ("succeeded", 25050)
        from zapys.ledger.selectors import client_balance

        assert client_balance(client) == 25050
    # Staff sees it in the online payments list.
    browser.get(f"{live_server.url}/payments/")
    wait_for(browser, f"[data-testid=status-{payment.pk}]")
