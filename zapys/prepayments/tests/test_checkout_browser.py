"""The one checkout on the booking's page in headless Chromium: on a 390px phone the client
reads the agreement and what the balance covers, accepts, pays from the balance; a declined
card offers "Try again"; the desktop page in English. Screenshots go to $ZAPYS_SCREENSHOTS
(default /tmp/shots) as h7_booking_*.png."""

from __future__ import annotations

import pytest
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
from tests.factories import SYSTEM, make_branch, make_org
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.payments.services import payment_fail
from zapys.prepayments.models import Booking

pytestmark = [pytest.mark.browser]

TERMS = (
    "Передоплата зберігається, якщо ви скасуєте запис пізніше ніж за 24 години або не прийдете.\n"
    "Її можна перенести на інший візит один раз."
)


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        enable_prepayment(
            org,
            with_sms=False,
            agreement_text=TERMS,
            page_business_name="Beauty Lab",
            page_call_to_action="Чекаємо на вашу передоплату",
        )
        booking_type = make_booking_type(org, "fixed", 30_000, name="Deposit")
    return org, branch, booking_type


def test_the_booking_is_paid_from_the_balance_on_a_phone(live_server, salon):
    org, branch, booking_type = salon
    with org_scope(org):
        booking = make_booking(org, branch, booking_type=booking_type)
        entry_create(
            client=booking.client, kind="debit", amount=45_000, purpose="top_up", actor=SYSTEM
        )
    phone = make_driver(PHONE)
    try:
        as_phone(phone)
        phone.get(booking.payment_url)
        wait_for(phone, "[data-testid=agreement-form]")
        assert phone.find_element(By.CSS_SELECTOR, "[data-testid=checkout-label]").text == (
            "Передоплата"
        )
        assert "300,00" in phone.find_element(By.CSS_SELECTOR, "[data-testid=amount]").text
        covered = phone.find_element(By.CSS_SELECTOR, "[data-testid=covered]").text
        assert "300,00" in covered and "Прийміть умови" in covered
        assert not phone.find_elements(By.CSS_SELECTOR, "[data-testid=pay-balance]")
        assert_fits_the_width(phone)
        screenshot(phone, "h7_booking_agreement_phone_uk")

        accept = phone.find_element(By.CSS_SELECTOR, "[data-testid=accept]")
        # out from under the phone's sticky pay bar, as a person scrolls to it
        phone.execute_script("arguments[0].scrollIntoView({block: 'center'});", accept)
        accept.click()
        click_and_load(phone, "[data-testid=continue]")
        wait_for(phone, "[data-testid=pay-balance]")
        assert phone.find_elements(By.CSS_SELECTOR, "[data-testid=pay-button]")
        assert_fits_the_width(phone)
        screenshot(phone, "h7_booking_checkout_phone_uk")

        click_and_load(phone, "[data-testid=pay-balance]")
        wait_for(phone, "[data-testid=prepayment-page][data-status=paid]")
        screenshot(phone, "h7_booking_paid_phone_uk")
    finally:
        phone.quit()
    with org_scope(org):
        booking.refresh_from_db()
        assert booking.status == "paid" and booking.paid_from_balance
        assert booking.accepted_at is not None
        assert client_balance(booking.client) == 45_000  # earmarked for the visit, not spent


def test_a_declined_booking_offers_to_try_again_on_a_phone(live_server, salon):
    org, branch, booking_type = salon
    with org_scope(org):
        booking = make_booking(org, branch, booking_type=booking_type)
        Booking.objects.filter(pk=booking.pk).update(accepted_at=booking.created_at)
        first = booking.payment
        payment_fail(payment=first, actor=SYSTEM)
    phone = make_driver(PHONE)
    try:
        as_phone(phone)
        phone.get(booking.payment_url + "?return=1")
        wait_for(phone, "[data-testid=payment-declined]")
        assert_fits_the_width(phone)
        screenshot(phone, "h7_booking_declined_phone_uk")
        click_and_load(phone, "[data-testid=pay-again]")
        wait_for(phone, "[data-testid=pay-button]")
    finally:
        phone.quit()
    with org_scope(org):
        booking.refresh_from_db()
        assert booking.payment_id != first.pk and booking.payment.status == "pending"


def test_the_booking_page_on_a_desktop_in_english(live_server, salon):
    org, branch, booking_type = salon
    with org_scope(org):
        from zapys.prepayments.services import prepayment_settings_update

        prepayment_settings_update(
            organization=org,
            actor=SYSTEM,
            page_language="en",
            page_call_to_action="We are waiting for your deposit",
            agreement_text="The deposit is kept if you cancel later than 24 hours before.",
        )
        booking = make_booking(
            org, branch, booking_type=booking_type, visit=make_visit(org, branch)
        )
        entry_create(
            client=booking.client, kind="debit", amount=10_000, purpose="top_up", actor=SYSTEM
        )
    desktop = make_driver(DESKTOP)
    try:
        desktop.get(booking.payment_url)
        wait_for(desktop, "[data-testid=agreement-form]")
        assert desktop.find_element(By.CSS_SELECTOR, "[data-testid=checkout-label]").text == (
            "Prepayment"
        )
        covered = desktop.find_element(By.CSS_SELECTOR, "[data-testid=covered]").text
        assert "UAH 100.00" in covered and "Accept the terms" not in covered  # it does not cover
        assert_fits_the_width(desktop)
        screenshot(desktop, "h7_booking_agreement_desktop_en")
        desktop.find_element(By.CSS_SELECTOR, "[data-testid=accept]").click()
        click_and_load(desktop, "[data-testid=continue]")
        wait_for(desktop, "[data-testid=pay-button]")
        assert not desktop.find_elements(By.CSS_SELECTOR, "[data-testid=pay-balance]")
        screenshot(desktop, "h7_booking_checkout_desktop_en")
    finally:
        desktop.quit()
