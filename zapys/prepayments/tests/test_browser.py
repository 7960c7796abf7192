"""The full sandbox flow in headless Chromium: enable prepayment, create a booking on a
visit, open the link from the outbox message, accept the agreement, pay on the sandbox
page → booking paid, clock green. Plus phone screenshots of the page in every theme."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import PHONE, click_and_load, login, make_driver, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.tenancy import org_scope
from zapys.messaging.models import Message
from zapys.prepayments import services
from zapys.prepayments.models import Booking
from zapys.schedule.models import Visit

pytestmark = [pytest.mark.browser]

SCREENSHOTS = __import__("pathlib").Path("/tmp/zapys-screenshots")
SCREENSHOTS.mkdir(exist_ok=True)


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        make_account(org, "sandbox")
        from tests.factories_messaging import make_transport_account

        make_transport_account(org, "sms")
        make_booking_type(org, "fixed", 30_000, name="Deposit")
        visit = make_visit(org, branch)
    return org, user, visit


def test_full_sandbox_flow(browser, live_server, salon, tmp_path):
    org, user, visit = salon
    login(browser, live_server, user.username, PASSWORD)
    # enable prepayment in the settings (Main + Payment system tabs)
    browser.get(f"{live_server.url}/settings/prepayment/?tab=system")
    Select(browser.find_element(By.NAME, "payment_account")).select_by_index(1)
    click_and_load(browser, "[data-testid=save-settings]")
    click_and_load(browser, "[data-testid=tab-main]")
    checkbox = wait_for(browser, "input[name=enabled]")
    if not checkbox.is_selected():
        checkbox.click()
    click_and_load(browser, "[data-testid=save-settings]")
    wait_for(browser, "[data-testid=prepayment-tabs]")
    with org_scope(org):
        assert services.prepayment_settings_get(org).enabled
    # the visit card's "Create booking"
    browser.get(f"{live_server.url}/visits/{visit.pk}/booking/")
    assert "300,00" in wait_for(browser, "[data-testid=amounts]").text
    Select(browser.find_element(By.NAME, "channel")).select_by_value("sms")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=create-booking]").click()
    wait_for(browser, "[data-testid=clock][data-clock=grey]")
    with org_scope(org):
        booking = Booking.objects.get()
        text = Message.objects.get(idempotency_key=f"booking:{booking.pk}:link").text
    link = re.search(r"https?://\S+/p/\S+/", text).group(0)
    # the client opens the link from the SMS on a phone
    phone = make_driver(PHONE)
    try:
        phone.get(link)
        wait_for(phone, "[data-testid=agreement-form]")
        phone.save_screenshot(str(tmp_path / "prepayment-agreement.png"))
        phone.find_element(By.CSS_SELECTOR, "[data-testid=accept]").click()
        click_and_load(phone, "[data-testid=continue]")
        click_and_load(phone, "[data-testid=pay-button]")
        wait_for(phone, "[data-testid=sandbox-pay]")
        phone.find_element(By.NAME, "card_number").send_keys("4242 4242 4242 4242")
        click_and_load(phone, "[data-testid=sandbox-pay]")
        wait_for(phone, "[data-testid=sandbox-confirm]")
        phone.find_element(By.NAME, "code").send_keys("1234")
        click_and_load(phone, "[data-testid=sandbox-confirm]")
        # the provider sends the client back to the booking's own page, which shows
        # "waiting" until the callback lands and then the paid state
        wait_for(phone, "[data-testid=prepayment-page][data-status=paid]")
        assert "return=1" in phone.current_url
        phone.save_screenshot(str(tmp_path / "prepayment-paid.png"))
    finally:
        phone.quit()
    with org_scope(org):
        booking.refresh_from_db()
        assert booking.status == "paid" and booking.accepted_at is not None
        assert Visit.objects.get(pk=visit.pk).booking_state == "paid"
    browser.get(f"{live_server.url}/prepayments/{booking.pk}/")
    wait_for(browser, "[data-testid=clock][data-clock=green]")
    browser.get(f"{live_server.url}/prepayments/")
    wait_for(browser, "[data-testid=booking-row]")


@pytest.mark.parametrize("theme", ["light", "dark", "rose", "forest"])
def test_payment_page_themes_on_phone(live_server, salon, tmp_path, theme):
    org, _user, visit = salon
    with org_scope(org):
        enable_prepayment(
            org,
            with_sms=False,
            page_theme=theme,
            page_business_name="Beauty Lab",
            page_subtitle="Podil studio",
            page_call_to_action="We are waiting for your deposit",
        )
        booking = make_booking(org, visit.branch, visit=visit)
    phone = make_driver(PHONE)
    try:
        phone.get(booking.payment_url)
        page = wait_for(phone, "[data-testid=prepayment-page]")
        assert phone.find_element(By.CSS_SELECTOR, "body").get_attribute("data-theme") == theme
        inner = phone.execute_script("return window.innerWidth")
        assert inner <= 520, "a phone-sized window"
        assert page.size["width"] <= inner
        width = phone.execute_script("return document.documentElement.scrollWidth")
        assert width <= inner, "no horizontal scrolling on a phone"
        phone.save_screenshot(str(SCREENSHOTS / f"prepayment-{theme}.png"))
    finally:
        phone.quit()
    _ = SYSTEM
