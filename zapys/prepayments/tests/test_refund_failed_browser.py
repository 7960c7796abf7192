"""A refund the provider declines after a staff cancellation, in headless Chromium: the
booking page shows "Refund failed" with the provider's reason and "Retry refund"; staff
see the notification; once the provider takes it, the retry shows "Refunded"."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation
from selenium.webdriver.common.by import By

from tests.browser import (
    as_phone,
    assert_fits_the_width,
    click_and_confirm,
    click_and_load,
    login,
    screenshot,
    wait_for,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_payments import make_account
from tests.factories_prepayments import enable_prepayment, make_booking_type
from zapys.core.tenancy import org_scope
from zapys.messaging.models import Message, StaffNotification
from zapys.payments.models import SandboxCharge
from zapys.prepayments import services
from zapys.prepayments.models import Booking, CancellationPolicy
from zapys.prepayments.refund_reasons import refund_failure_text
from zapys.prepayments.tests.test_cancel_browser import _paid

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        enable_prepayment(org, account=make_account(org, "sandbox"))
        services.policy_presets_ensure(org)
        policy = CancellationPolicy.objects.get(preset="moderate")
        services.cancellation_policy_update(policy=policy, actor=SYSTEM, late_cancel_rest="refund")
        make_booking_type(org, "fixed", 30_000, name="Deposit")
        late = _paid(org, branch, user, hours=3)
    return org, user, late


def test_a_declined_refund_is_shown_and_retried(browser, live_server, salon):
    org, user, late = salon
    SandboxCharge.objects.filter(order_id=late.payment.order_id).update(status="failure")
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/visits/{late.visit_id}/")
    click_and_confirm(browser, "[data-testid=visit-cancel]")
    wait_for(browser, "[data-testid=cancel-terms]")
    click_and_load(browser, "[data-testid=confirm-cancel]")
    wait_for(browser, "[data-testid=cancelled-by]")

    browser.get(f"{live_server.url}/prepayments/{late.pk}/")
    state = wait_for(browser, "[data-testid=refund-state]")
    with translation.override("uk"):
        said = refund_failure_text("not_refundable", "")
    assert said in state.text and "not_refundable" not in state.text
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=retry-refund]")
    screenshot(browser, "refund-failed-booking-uk")
    with org_scope(org):
        assert Booking.objects.get(pk=late.pk).refund_state == "failed"
        note = StaffNotification.objects.get(body__contains=said)
        assert "/prepayments/" in note.url
        assert not Message.objects.filter(event="prepayments.refund_done").exists()
    browser.get(f"{live_server.url}/notifications/")
    screenshot(browser, "refund-failed-notification-uk")

    # The visit card says it too, with "Retry refund" (not only the booking page).
    browser.get(f"{live_server.url}/visits/{late.visit_id}/")
    reason = wait_for(browser, "[data-testid=visit-refund-reason]")
    assert said in reason.text and "not_refundable" not in reason.text
    screenshot(browser, "refund-failed-visit-card-uk")
    as_phone(browser)
    browser.get(f"{live_server.url}/visits/{late.visit_id}/")
    wait_for(browser, "[data-testid=visit-retry-refund]")
    assert_fits_the_width(browser)
    screenshot(browser, "refund-failed-visit-card-phone-uk")
    user.language = "en"
    user.save(update_fields=["language"])
    browser.get(f"{live_server.url}/visits/{late.visit_id}/")
    reason = wait_for(browser, "[data-testid=visit-refund-reason]")
    with translation.override("en"):
        assert refund_failure_text("not_refundable", "") in reason.text
    assert_fits_the_width(browser)
    screenshot(browser, "refund-failed-visit-card-phone-en")

    SandboxCharge.objects.filter(order_id=late.payment.order_id).update(status="success")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=visit-retry-refund]").click()
    wait_for(browser, "[data-testid=visit-refund-done]")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=visit-retry-refund]")
    screenshot(browser, "refund-retried-visit-card-phone-uk")
    browser.get(f"{live_server.url}/prepayments/{late.pk}/")
    state = wait_for(browser, "[data-testid=refund-state]")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=retry-refund]")
    screenshot(browser, "refund-retried-booking-uk")
    with org_scope(org):
        late.refresh_from_db()
        late.payment.refresh_from_db()
        assert late.refund_state == "done" and late.payment.refunded_amount == 21_000
        assert Message.objects.filter(event="prepayments.refund_done").count() == 1
    assert timezone.now()
