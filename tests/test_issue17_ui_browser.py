"""Issue 17 in headless Chromium, uk and en: the staff booking page's link actions (copy
with "Copied", resend after a confirmation with the delivery shown, more time with a field
error on bad input) and a date filter typed as dd.mm.yyyy. Screenshots in
$ZAPYS_SCREENSHOTS (default /tmp/shots)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import click_and_load, login, screenshot, wait_for, wait_text
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_payment_type
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.tenancy import org_scope
from zapys.ledger.services import financial_operation_create
from zapys.messaging.models import Message
from zapys.prepayments.models import Booking

pytestmark = [pytest.mark.browser]

WORDS = {
    "uk": {"copied": "Скопійовано", "sent": "надіслано повторно", "until": "Клієнт може оплатити"},
    "en": {"copied": "Copied", "sent": "sent again", "until": "The client can pay until"},
}


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        enable_prepayment(org)
        make_booking_type(org, "fixed", 30_000, name="Deposit")
        # two days ahead: "100 more hours" is past the visit, "6 more" is not (the factory's
        # default start moves 90 minutes per visit made before in the process)
        visit = make_visit(org, branch, starts_at=timezone.now() + timedelta(days=2))
        booking = make_booking(org, branch, visit=visit)
        financial_operation_create(
            organization=org,
            branch=branch,
            kind="expense",
            amount=45_000,
            payment_type=make_payment_type(branch),
            comment="Оренда грудня",
            actor=SYSTEM,
        )
    return org, user, booking


def _language(browser, live_server, language: str) -> None:
    browser.get(f"{live_server.url}/login/")
    browser.add_cookie({"name": "django_language", "value": language})


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_booking_page_link_actions_work(browser, live_server, salon, language):
    org, user, booking = salon
    _language(browser, live_server, language)
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/prepayments/{booking.pk}/")
    wait_for(browser, "[data-testid=link-actions]")
    assert (
        browser.find_element(By.CSS_SELECTOR, "[data-testid=booking-client]")
        .get_attribute("href")
        .endswith(f"/clients/{booking.client_id}/")
    )

    # copy: the link lands on the clipboard and the page says so
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            "origin": live_server.url,
        },
    )
    browser.find_element(By.CSS_SELECTOR, "[data-testid=copy-link]").click()
    WebDriverWait(browser, 10).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=copied]"))
    )
    assert (
        WORDS[language]["copied"]
        in browser.find_element(By.CSS_SELECTOR, "[data-testid=copied]").text
    )
    copied = browser.execute_async_script(
        "var done = arguments[0];"
        "navigator.clipboard.readText().then(done, function () { done(null); });"
    )
    if copied is not None:  # reading the clipboard may be refused headless; writing worked
        assert copied == booking.payment_url
    screenshot(browser, f"lang-ui/booking-copied-{language}")

    # resend: a confirmation first, then the delivery on the page
    sent_before = Message.objects.for_org(org).filter(related_id=str(booking.pk)).count()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=resend]").click()
    WebDriverWait(browser, 10).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=resend-confirm]"))
    )
    screenshot(browser, f"lang-ui/booking-resend-confirm-{language}")
    click_and_load(browser, "[data-testid=resend-confirm]")
    wait_text(browser, ".zapys-messages", WORDS[language]["sent"])
    assert (
        Message.objects.for_org(org).filter(related_id=str(booking.pk)).count() == sent_before + 1
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=booking-message]")) == (
        sent_before + 1
    )

    # more time: a wrong number is an error on the field, nothing changed
    expires = Booking.objects.for_org(org).get(pk=booking.pk).expires_at
    hours = browser.find_element(By.NAME, "hours")
    hours.clear()
    hours.send_keys("100")
    click_and_load(browser, "[data-testid=extend]")
    error = wait_for(browser, "[data-testid=extend-error]")
    assert error.text
    assert browser.find_element(By.NAME, "hours").get_attribute("aria-invalid") == "true"
    assert Booking.objects.for_org(org).get(pk=booking.pk).expires_at == expires
    screenshot(browser, f"lang-ui/booking-extend-error-{language}")
    hours = browser.find_element(By.NAME, "hours")
    hours.clear()
    hours.send_keys("6")
    click_and_load(browser, "[data-testid=extend]")
    wait_text(browser, ".zapys-messages", WORDS[language]["until"])
    assert Booking.objects.for_org(org).get(pk=booking.pk).expires_at > expires
    screenshot(browser, f"lang-ui/booking-extended-{language}")


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_period_typed_as_dd_mm_yyyy_filters_the_operations(browser, live_server, salon, language):
    _org, user, _booking = salon
    _language(browser, live_server, language)
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/finance/operations/")
    wait_for(browser, "[data-testid=period-form]")
    start = browser.find_element(By.NAME, "date_from")
    assert start.get_attribute("type") == "text"
    today = timezone.localdate()
    first = today.replace(day=1).strftime("%d.%m.%Y")
    assert start.get_attribute("value") == first  # shown dd.mm.yyyy in both languages
    start.clear()
    start.send_keys(first)
    end = browser.find_element(By.NAME, "date_to")
    end.clear()
    end.send_keys(today.strftime("%d.%m.%Y"))
    click_and_load(browser, "[data-testid=period-form] button")
    assert f"date_from={first}" in browser.current_url
    wait_text(browser, "body", "Оренда грудня")
    assert browser.find_element(By.NAME, "date_from").get_attribute("value") == first
    screenshot(browser, f"lang-ui/operations-period-{language}")
    # a period before the operation: the list is empty; a wrong date: its field says so
    start = browser.find_element(By.NAME, "date_from")
    start.clear()
    start.send_keys("31.02.2026")
    click_and_load(browser, "[data-testid=period-form] button")
    wait_for(browser, "[data-testid=filter-error]")
    screenshot(browser, f"lang-ui/operations-period-error-{language}")
