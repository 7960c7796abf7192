"""Cancellations and fees in a browser: the owner sees "Refund failed (1)", opens the filter,
reads the reason in words and opens the booking from it (uk on a desktop, en on a phone).
Screenshots: $ZAPYS_SCREENSHOTS/cancellations-refund-failed-<lang>.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import as_phone, assert_fits_the_width, click_and_load, login, screenshot
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.tenancy import org_scope
from zapys.prepayments import services
from zapys.prepayments.models import Booking
from zapys.schedule.models import Visit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("midday"),
]  # visits hours from now stay today

WORDS = {
    "uk": ("Повернення не вдалося", "уже не дозволяє повернути", "200,00"),
    "en": ("Refund failed", "no longer allows refunding", "200.00"),
}


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_failed_refund_in_the_report(browser, live_server, transactional_db, language):
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        enable_prepayment(org)
        services.policy_presets_ensure(org)
        make_booking_type(org, "fixed", 20_000)
        visit = make_visit(org, branch, starts_at=timezone.now() + timedelta(hours=3))
        booking = make_booking(org, branch, visit=visit)
        Visit.objects.filter(pk=visit.pk).update(starts_at=timezone.now() - timedelta(days=1))
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CANCELLED, cancelled_by="staff", cancel_refunded=20_000,
            refund_state="failed", refund_error_code="not_refundable",
            refund_error="not_refundable: payment is not refundable",
        )  # fmt: skip
    status, reason, amount = WORDS[language]
    login(browser, live_server, user.username, PASSWORD)
    browser.add_cookie({"name": "django_language", "value": language})
    if language == "en":
        as_phone(browser)
    browser.get(f"{live_server.url}/prepayments/cancellations/")
    count = browser.find_element(By.CSS_SELECTOR, "[data-testid=refund-failed-count]")
    assert count.text == "1"
    click_and_load(browser, "[data-testid=filter-refund-failed]")
    row = browser.find_element(By.CSS_SELECTOR, "[data-testid=refund-failed-row]")
    assert status in row.text and reason in row.text and amount in row.text
    assert "not_refundable" not in browser.page_source
    if language == "en":
        assert_fits_the_width(browser)
    screenshot(browser, f"cancellations-refund-failed-{language}")
    click_and_load(browser, "[data-testid=open-booking]")
    assert f"/prepayments/{booking.pk}/" in browser.current_url
