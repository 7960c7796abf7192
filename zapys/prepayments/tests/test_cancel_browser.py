"""Cancelling a prepaid visit in headless Chromium (V2): staff cancel one outside the free
window from the visit card (the fee and the rest shown first, the client's message in the
outbox), the client cancels one inside the window from the link on a phone (free, the money
stays on the balance). Screenshots in Ukrainian (staff) and English (the client's page)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser import (
    PHONE,
    as_phone,
    assert_fits_the_width,
    click_and_confirm,
    click_and_load,
    login,
    make_driver,
    screenshot,
    wait_for,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking_type,
    make_paid_booking,
)
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message
from zapys.prepayments import services
from zapys.prepayments.models import Booking, Fee

pytestmark = [pytest.mark.browser]


def _paid(org, branch, user, hours):
    return make_paid_booking(org, branch, staff=user, hours=hours)


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        enable_prepayment(org, account=make_account(org, "sandbox"))
        services.policy_presets_ensure(org)  # Moderate: 24 h free, then 30%
        make_booking_type(org, "fixed", 30_000, name="Deposit")
        late = _paid(org, branch, user, hours=3)
        early = _paid(org, branch, user, hours=48)
    return org, user, late, early


def test_cancel_a_prepaid_visit_outside_and_inside_the_window(browser, live_server, salon):
    org, user, late, early = salon
    login(browser, live_server, user.username, PASSWORD)
    # staff: the visit card's "Cancel visit" goes to the money page (nothing cancelled yet)
    browser.get(f"{live_server.url}/visits/{late.visit_id}/")
    click_and_confirm(browser, "[data-testid=visit-cancel]")
    terms = wait_for(browser, "[data-testid=cancel-terms]")
    assert "90,00" in terms.find_element(By.CSS_SELECTOR, "[data-testid=fee]").text
    assert "210,00" in terms.find_element(By.CSS_SELECTOR, "[data-testid=rest]").text
    screenshot(browser, "policy-staff-cancel-uk")
    # waiving without a reason is refused and changes nothing
    browser.find_element(By.CSS_SELECTOR, "[data-testid=waive-fee]").click()
    click_and_load(browser, "[data-testid=confirm-cancel]")
    wait_for(browser, "[data-testid=form-errors]")
    with org_scope(org):
        assert Booking.objects.get(pk=late.pk).status == "paid"
    browser.find_element(By.CSS_SELECTOR, "[data-testid=waive-fee]").click()  # untick
    click_and_load(browser, "[data-testid=confirm-cancel]")
    wait_for(browser, "[data-testid=cancelled-by]")
    screenshot(browser, "policy-staff-cancelled-uk")
    with org_scope(org):
        late.refresh_from_db()
        assert (late.cancel_kept, late.cancel_to_balance) == (9_000, 21_000)
        assert Fee.objects.get(booking=late).state == "charged"
        text = Message.objects.get(idempotency_key=f"booking:{late.pk}:cancelled-money").text
        assert "90,00" in text and "210,00" in text
        # the client reads the page in English
        services.prepayment_settings_update(organization=org, actor=SYSTEM, page_language="en")
    # the client: inside the window, from the link on a phone
    phone = make_driver(PHONE, language="en")
    try:
        as_phone(phone)
        phone.get(f"{live_server.url}/p/{early.token}/cancel/")
        free = wait_for(phone, "[data-testid=cancel-free]")
        assert "free of charge" in free.text and "UAH 300.00" in free.text
        assert_fits_the_width(phone)
        screenshot(phone, "policy-client-cancel-en")
        click_and_load(phone, "[data-testid=client-confirm-cancel]")
        done = wait_for(phone, "[data-testid=cancel-done]")
        assert "stays on your balance" in done.text
        screenshot(phone, "policy-client-cancelled-en")
    finally:
        phone.quit()
    with org_scope(org):
        early.refresh_from_db()
        assert early.cancelled_by == "client" and early.cancel_to_balance == 30_000
        assert client_balance(early.client) == 30_000
        assert not Fee.objects.filter(booking=early).exists()
