"""The checkout walked as a new administrator would, in a real browser, on a desktop in
Ukrainian and on a phone in English: calendar → visit card → "Paid by card: 450" in one
click; part cash, the rest on the balance; an online link; a group lesson paid per
participant; cancelling a prepaid visit inside and outside the free window; the unpaid
list. Screenshots go to $ZAPYS_SCREENSHOTS to be looked at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import (
    as_phone,
    assert_fits_the_width,
    click_and_confirm,
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
from zapys.catalog.services import subject_create
from zapys.checkout.models import Checkout
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.ledger.services import entry_create
from zapys.payments.sandbox import sandbox_charge
from zapys.payments.services import payment_succeed
from zapys.prepayments import services as prepayments
from zapys.schedule.services import lesson_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("midday"),
]  # visits hours from now stay today


def _prepaid(org, branch, staff, hours: float):
    visit = make_visit(
        org,
        branch,
        staff=staff,
        client=make_client(org),
        starts_at=timezone.now() + timedelta(hours=hours),
    )
    booking = make_booking(org, branch, visit=visit)
    assert booking.payment is not None
    sandbox_charge(
        account=booking.payment.account,
        payload={"order_id": booking.payment.order_id, "amount": 30_000, "currency": "UAH"},
        success=True,
    )
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    return visit


@pytest.fixture
def desk(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        admin = make_staff(
            org, "administrator", username="new-admin", branches=[branch], first_name="Ірина"
        )
        enable_prepayment(org, account=make_account(org, "sandbox"))
        prepayments.policy_presets_ensure(org)  # Moderate: 24 h free, then a fee
        make_booking_type(org, "fixed", 30_000, name="Deposit")
        started = timezone.now() - timedelta(hours=2)
        staff = [make_staff(org, "specialist", branches=[branch]) for _ in range(4)]
        card = make_visit(
            org,
            branch,
            staff=staff[0],
            client=make_client(org, "Шевчук Марія"),
            service=make_service(org, price=45_000),
            starts_at=started,
        )
        split = make_visit(
            org,
            branch,
            staff=staff[1],
            client=make_client(org, "Бойко Олег"),
            service=make_service(org, price=45_000),
            starts_at=started,
        )
        entry_create(
            client=split.client, kind="debit", amount=10_000, purpose="top_up", actor=SYSTEM
        )
        link = make_visit(
            org,
            branch,
            staff=staff[2],
            client=make_client(org, "Мельник Тарас"),
            service=make_service(org, price=60_000),
            starts_at=started,
        )
        (lesson,) = lesson_create(
            organization=org,
            branch=branch,
            staff=staff[3],
            subject=subject_create(organization=org, name="Йога", actor=SYSTEM),
            starts_at=started,
            duration_minutes=60,
            capacity=10,
            price=20_000,
            client_ids=[make_client(org, n).pk for n in ("Коваль Анна", "Лисенко Ольга")],
            actor=SYSTEM,
        )
        late = _prepaid(org, branch, staff[0], hours=3)
        early = _prepaid(org, branch, staff[1], hours=48)
    return org, admin, card, split, link, lesson, late, early


def _text(browser, testid: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, f"[data-testid={testid}]").text


def _click(browser, css: str) -> None:
    wait_for(browser, css).click()


def test_the_checkout_walked_as_a_new_administrator(browser, live_server, desk):
    org, admin, _card, split, link, lesson, late, early = desk
    login(browser, live_server, admin.username, PASSWORD)

    # Calendar → the visit card (modal) → "Paid by card: 450,00" in one click.
    browser.get(f"{live_server.url}/calendar/")
    wait_for(browser, "[data-testid=cal-visit]")
    screenshot(browser, "walk-uk-calendar")
    visits = browser.find_elements(By.CSS_SELECTOR, "[data-testid=cal-visit]")
    target = next(v for v in visits if "Шевчук" in v.text)
    target.click()
    wait_for(browser, "#modal-content [data-testid=checkout-card]", timeout=60)
    assert "450,00" in _text(browser, "checkout-card")
    screenshot(browser, "walk-uk-modal-due")
    _click(browser, "#modal-content [data-testid=checkout-card]")
    wait_for(browser, "#modal-content [data-testid=checkout-paid]")
    screenshot(browser, "walk-uk-modal-paid")

    # Part cash, the rest on the balance (the positive balance covers 100 first).
    browser.get(f"{live_server.url}/visits/{split.pk}/")
    wait_for(browser, "[data-testid=checkout-due]", timeout=60)
    assert "100,00" in _text(browser, "checkout-covered-balance")
    assert "350,00" in _text(browser, "checkout-due")
    _click(browser, "[data-testid=checkout-split-toggle]")
    prefix = f"p{split.client_id}"
    wait_for(browser, f"[name={prefix}-cash]").send_keys("200")
    browser.find_element(By.CSS_SELECTOR, f"[name={prefix}-balance]").send_keys("150")
    screenshot(browser, "walk-uk-split-form")
    _click(browser, "[data-testid=checkout-split]")
    wait_for(browser, "[data-testid=checkout-paid]")
    screenshot(browser, "walk-uk-split-paid")
    with org_scope(org):
        assert client_balance(split.client) == -15_000  # the 150 owed

    # An online payment link.
    browser.get(f"{live_server.url}/visits/{link.pk}/")
    _click(browser, "[data-testid=checkout-send-link]")
    wait_for(browser, "[data-testid=checkout-link-url]")
    screenshot(browser, "walk-uk-link-sent")

    # A group lesson: each participant pays for themself.
    browser.get(f"{live_server.url}/visits/{lesson.pk}/")
    wait_for(browser, "[data-testid=checkout-row]", timeout=60)
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=checkout-row]")
    assert len(rows) == 2
    screenshot(browser, "walk-uk-lesson-due")
    rows[0].find_element(By.CSS_SELECTOR, "[data-testid=checkout-cash]").click()
    wait_for(browser, "[data-testid=checkout-paid]")
    screenshot(browser, "walk-uk-lesson-one-paid")

    # Cancelling a prepaid visit: outside the free window (a fee) and inside it.
    for visit, name in ((late, "late"), (early, "early")):
        browser.get(f"{live_server.url}/visits/{visit.pk}/")
        click_and_confirm(browser, "[data-testid=visit-cancel]")
        wait_for(browser, "[data-testid=cancel-terms]")
        screenshot(browser, f"walk-uk-cancel-{name}-terms")
    _click(browser, "[data-testid=confirm-cancel]")
    wait_for(browser, "[data-testid=cancelled-by]")
    screenshot(browser, "walk-uk-cancel-early-done")

    browser.get(f"{live_server.url}/checkout/unpaid/")
    wait_for(browser, "[data-testid=unpaid-filters]")
    screenshot(browser, "walk-uk-unpaid")
    browser.get(f"{live_server.url}/")
    screenshot(browser, "walk-uk-dashboard")

    # The same, in English on a phone.
    admin.language = "en"
    admin.save(update_fields=["language"])
    as_phone(browser)
    for page, wait, name in (
        (f"/visits/{link.pk}/", "checkout-link-url", "link"),
        (f"/visits/{lesson.pk}/", "checkout-row", "lesson"),
        (f"/visits/{split.pk}/", "checkout-paid", "split"),
        (f"/visits/{late.pk}/", "visit-status", "late"),
        ("/checkout/unpaid/?period=week&branch=", "unpaid-filters", "unpaid"),
    ):
        browser.get(f"{live_server.url}{page}")
        wait_for(browser, f"[data-testid={wait}]", timeout=60)
        assert_fits_the_width(browser)
        screenshot(browser, f"walk-en-phone-{name}")
    browser.get(f"{live_server.url}/visits/{late.pk}/")
    click_and_confirm(browser, "[data-testid=visit-cancel]")
    wait_for(browser, "[data-testid=cancel-terms]")
    assert_fits_the_width(browser)
    screenshot(browser, "walk-en-phone-cancel-late-terms")
    with org_scope(org):
        assert Checkout.objects.filter(status="settled").count() == 3
