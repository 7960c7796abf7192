"""The checkout as the front desk uses it, in a real browser: a visit with a prepayment →
the card shows price − prepayment = due → "Paid by card" → paid, and the day's sales show
the same money (uk and en, desktop and phone)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import (
    as_phone,
    assert_fits_the_width,
    login,
    screenshot,
    wait_for,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from zapys.checkout.models import Checkout
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.payments.services import payment_succeed
from zapys.schedule.models import Visit

pytestmark = [pytest.mark.browser]


@pytest.fixture
def prepaid(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="desk", branches=[branch])
        enable_prepayment(org, account=make_account(org, "sandbox"))
        visit = make_visit(
            org,
            branch,
            client=make_client(org, "Шевчук Марія"),
            service=make_service(org, price=45_000),
        )
        booking = make_booking(
            org, branch, visit=visit, booking_type=make_booking_type(org, "fixed", 20_000)
        )
        payment_succeed(payment=booking.payment, actor=SYSTEM)
        # the prepaid visit's day has come (it started half an hour ago): the card shows the
        # checkout from the visit's day on, only the prepayment before it
        started = timezone.now() - timedelta(minutes=30)
        Visit.objects.filter(pk=visit.pk).update(
            starts_at=started, ends_at=started + (visit.ends_at - visit.starts_at)
        )
        visit.refresh_from_db()
    return org, user, visit


def _text(browser, testid: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, f"[data-testid={testid}]").text


def test_prepaid_visit_paid_by_card(browser, live_server, prepaid):
    org, user, visit = prepaid
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/visits/{visit.pk}/")
    wait_for(browser, "[data-testid=checkout-due]", timeout=60)
    assert "450,00" in _text(browser, "checkout-price")
    assert "200,00" in _text(browser, "checkout-covered-prepayment")
    assert "250,00" in _text(browser, "checkout-due")
    assert "250,00" in _text(browser, "checkout-card")  # the one click names the amount
    screenshot(browser, "checkout-uk-due")

    status_before = _text(browser, "visit-status")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=checkout-card]").click()
    # the rest of the card follows without a reload: the message, the visit's status moved
    # (the client arrived), and the panel (loaded again into the card) shows it paid
    wait_for(browser, "[data-testid=visit-message]")
    assert "250,00" in _text(browser, "visit-message")
    wait_for(browser, "[data-testid=checkout-paid]")
    assert _text(browser, "visit-status") != status_before
    screenshot(browser, "checkout-uk-card-refreshed")
    assert "250,00" in _text(browser, "checkout-paid-how")
    screenshot(browser, "checkout-uk-paid")
    with org_scope(org):
        row = Checkout.objects.get()
        assert (row.status, row.paid_card, row.covered_prepayment) == ("settled", 25_000, 20_000)
        assert client_balance(visit.client) == 0

    # the receipt link opens the day's sales: the prepayment and the card, the money once
    receipt = browser.find_element(By.CSS_SELECTOR, "[data-testid=checkout-receipt]")
    browser.get(receipt.get_attribute("href"))
    wait_for(browser, "[data-testid=sales-total]")
    assert "450,00" in _text(browser, "sales-total") and "450,00" in _text(browser, "sales-paid")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=receipt-unpaid]")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=receipt-row]")]
    assert any("250,00" in r for r in rows) and any("200,00" in r for r in rows), rows
    screenshot(browser, "checkout-uk-day-sales")

    # English, and on a phone: the settled card reads the same and fits the width
    user.language = "en"
    user.save(update_fields=["language"])
    browser.get(f"{live_server.url}/visits/{visit.pk}/")
    wait_for(browser, "[data-testid=checkout-paid]")
    assert "UAH" in _text(browser, "checkout-price") and "Paid" in _text(browser, "checkout-paid")
    screenshot(browser, "checkout-en-paid")
    as_phone(browser)
    browser.get(f"{live_server.url}/visits/{visit.pk}/")
    wait_for(browser, "[data-testid=checkout-paid]")
    assert_fits_the_width(browser)
    screenshot(browser, "checkout-en-phone")
