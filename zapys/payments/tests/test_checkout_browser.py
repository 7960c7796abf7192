"""The one checkout on the top-up page in headless Chromium: a phone, a declined card, "Try
again", the sandbox's 3-D Secure, paid — in Ukrainian; and the desktop page in English.
Screenshots go to $ZAPYS_SCREENSHOTS (default /tmp/shots) as h7_topup_*.png."""

from __future__ import annotations

import pytest
from django.utils import translation
from selenium.webdriver.common.by import By

from tests.browser import (
    DESKTOP,
    PHONE,
    as_phone,
    assert_fits_the_width,
    click_and_load,
    make_driver,
    screenshot,
    wait_for,
)
from tests.factories import make_branch, make_org
from tests.factories_payments import make_account, make_client, make_topup
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.payments.models import Payment
from zapys.payments.providers.sandbox import DECLINE_CARD, SUCCESS_CARD, THREE_DS_CODE

pytestmark = [pytest.mark.browser]


def _card(driver, number: str) -> None:
    wait_for(driver, "[data-testid=sandbox-pay]")
    driver.find_element(By.NAME, "card_number").send_keys(number)
    click_and_load(driver, "[data-testid=sandbox-pay]")


@pytest.fixture
def top_up(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org), translation.override("uk"):  # staff made the link in Ukrainian
        make_branch(org, "Podil")
        payment = make_topup(
            org,
            account=make_account(org, "sandbox"),
            client=make_client(org, "Шевчук Марія"),
            amount=125_000,
        )
    return org, payment


def test_a_declined_top_up_is_paid_on_the_second_try_on_a_phone(live_server, top_up):
    org, payment = top_up
    phone = make_driver(PHONE)
    try:
        as_phone(phone)
        phone.get(payment.payment_url)
        wait_for(phone, "[data-testid=payment-page][data-status=pending]")
        label = phone.find_element(By.CSS_SELECTOR, "[data-testid=checkout-label]").text
        assert label == "Поповнення балансу"
        assert (
            "1 250,00" in phone.find_element(By.CSS_SELECTOR, "[data-testid=payment-amount]").text
        )
        assert not phone.find_elements(By.CSS_SELECTOR, "[data-testid=pay-balance]")
        assert_fits_the_width(phone)
        screenshot(phone, "h7_topup_phone_uk")

        click_and_load(phone, "[data-testid=pay-button]")
        _card(phone, DECLINE_CARD)  # the bank says no; the provider sends the client back
        wait_for(phone, "[data-testid=payment-declined]")
        assert (
            "Спробувати ще раз"
            in phone.find_element(By.CSS_SELECTOR, "[data-testid=pay-again]").text
        )
        assert_fits_the_width(phone)
        screenshot(phone, "h7_topup_declined_phone_uk")

        click_and_load(phone, "[data-testid=pay-again]")
        click_and_load(phone, "[data-testid=pay-button]")
        _card(phone, SUCCESS_CARD)
        wait_for(phone, "[data-testid=sandbox-confirm]")
        phone.find_element(By.NAME, "code").send_keys(THREE_DS_CODE)
        click_and_load(phone, "[data-testid=sandbox-confirm]")
        wait_for(phone, "[data-testid=payment-page][data-status=succeeded]")
        screenshot(phone, "h7_topup_paid_phone_uk")
    finally:
        phone.quit()
    with org_scope(org):
        retried = Payment.objects.get(retry_of=payment)
        assert (Payment.objects.get(pk=payment.pk).status, retried.status) == (
            "failed",
            "succeeded",
        )
        assert client_balance(payment.client) == 125_000


def test_the_top_up_page_on_a_desktop_in_english(live_server, top_up):
    _org, payment = top_up
    desktop = make_driver(DESKTOP)
    try:
        desktop.get(payment.payment_url)
        desktop.add_cookie({"name": "django_language", "value": "en"})
        desktop.get(payment.payment_url)
        wait_for(desktop, "[data-testid=checkout-form]")
        assert desktop.find_element(By.CSS_SELECTOR, "[data-testid=checkout-label]").text == (
            "Balance top-up"
        )
        assert (
            "Secure payment by"
            in desktop.find_element(By.CSS_SELECTOR, "[data-testid=provider-note]").text
        )
        assert_fits_the_width(desktop)
        screenshot(desktop, "h7_topup_desktop_en")
    finally:
        desktop.quit()
