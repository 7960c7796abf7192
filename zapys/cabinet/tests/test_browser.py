"""The cabinet as a client uses it, on a phone: open the link, read the balance, top up
through the sandbox, pay the open booking; both languages, screenshots to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import (
    as_phone,
    assert_fits_the_width,
    click_and_load,
    screenshot,
    wait_for,
)
from tests.factories import SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_entry, make_membership, make_plan
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import client_balance
from zapys.prepayments.models import Booking
from zapys.schedule.models import Attendance
from zapys.schedule.services import attendance_mark

pytestmark = [pytest.mark.browser]


@pytest.fixture
def cabinet(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        make_staff(org, "owner", username="lab-owner", branches=[branch])
        enable_prepayment(org, account=make_account(org, "sandbox"), with_sms=False)
        customer = make_client(org, "Шевчук Марія", phone="+380671112233")
        make_client(org, "Шевчук Данило", phone="+380671112233")
        staff = make_staff(org, "specialist", branches=[branch], first_name="Олена")
        service = make_service(org)
        past = make_visit(
            org, branch, client=customer, staff=staff, service=service,
            starts_at=timezone.now() - timedelta(days=6),
        )  # fmt: skip
        attendance_mark(
            attendance=Attendance.objects.get(visit=past, client=customer),
            state="attended",
            actor=SYSTEM,
        )
        make_entry(customer, kind="debit", amount=150_000)
        # of another service: a membership covering the booked visit would refuse its booking
        plan = make_plan(org, covers_everything=False, services=[make_service(org)])
        make_membership(customer, plan, starts_on=timezone.localdate() - timedelta(days=3))
        visit = make_visit(org, branch, client=customer, staff=staff, service=service)
        booking = make_booking(org, branch, visit=visit, booking_type=make_booking_type(org))
        balance = client_balance(customer)
    return org, customer, booking, balance


def _sandbox_pays(browser) -> None:
    wait_for(browser, "[data-testid=sandbox-pay]")
    browser.find_element(By.NAME, "card_number").send_keys("4242 4242 4242 4242")
    click_and_load(browser, "[data-testid=sandbox-pay]")
    wait_for(browser, "[data-testid=sandbox-confirm]")
    browser.find_element(By.NAME, "code").send_keys("1234")
    click_and_load(browser, "[data-testid=sandbox-confirm]")


def test_a_client_tops_up_and_pays_a_booking_on_a_phone(browser, live_server, cabinet):
    org, customer, booking, balance = cabinet
    as_phone(browser)
    url = customer.cabinet_url
    browser.get(url + "?lang=uk")
    wait_for(browser, "[data-testid=cabinet]")
    assert_fits_the_width(browser)
    assert "Шевчук Марія" in browser.find_element(By.CSS_SELECTOR, "[data-testid=client-name]").text
    amount = browser.find_element(By.CSS_SELECTOR, "[data-testid=balance-amount]").text
    assert "грн" in amount and "−" not in amount
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=family-card]")) == 2
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=payable]")) == 1
    family = browser.find_element(By.CSS_SELECTOR, "[data-testid=family]").text
    assert "Сторінка члена родини:" in family
    screenshot(browser, "cabinet-uk")

    # Top up 300 UAH through the sandbox: the shared checkout, then back to the cabinet.
    browser.find_element(By.CSS_SELECTOR, "[data-testid=top-up-amount]").send_keys("300")
    click_and_load(browser, "[data-testid=top-up-submit]")
    wait_for(browser, "[data-testid=payment-page]")
    assert_fits_the_width(browser)
    click_and_load(browser, "[data-testid=pay-button]")
    _sandbox_pays(browser)
    wait_for(browser, "[data-testid=payment-page][data-status=succeeded]")
    done = browser.find_element(By.CSS_SELECTOR, "[data-testid=payment-page]").text
    assert "Оплачено. Дякуємо!" in done and "Сплачено" not in done
    assert (
        "Beauty Lab"
        in browser.find_element(By.CSS_SELECTOR, "[data-testid=business-contacts]").text
    )
    assert_fits_the_width(browser)
    screenshot(browser, "cabinet-top-up-paid-uk")
    with org_scope(org):
        assert client_balance(customer) == balance + 30_000

    # Pay the open booking from the cabinet's "To pay".
    browser.get(url)
    click_and_load(browser, "[data-testid=pay-payable]")
    wait_for(browser, "[data-testid=agreement-form]")
    assert_fits_the_width(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=accept]").click()
    click_and_load(browser, "[data-testid=continue]")
    click_and_load(browser, "[data-testid=pay-button]")
    _sandbox_pays(browser)
    wait_for(browser, "[data-testid=prepayment-page][data-status=paid]")
    with org_scope(org):
        assert Booking.objects.get(pk=booking.pk).status == "paid"

    # Back in the cabinet, in English: nothing left to pay, the top-up among the payments.
    browser.get(url + "?lang=en")
    wait_for(browser, "[data-testid=cabinet]")
    assert_fits_the_width(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=payable]")
    assert "On your balance" in browser.find_element(By.CSS_SELECTOR, "[data-testid=balance]").text
    money = browser.find_element(By.CSS_SELECTOR, "[data-testid=money]").text
    assert "Balance top-up" in money and "300.00" in money
    assert "Taken from the balance · " in money and "Charged" not in money
    receipts = browser.find_element(By.CSS_SELECTOR, "[data-testid=receipts]").text
    assert "Receipt of " in receipts and "#" not in receipts
    assert "Upcoming visits" in browser.page_source
    screenshot(browser, "cabinet-en")
    _whole_page(browser)
    screenshot(browser, "cabinet-en-whole")
    browser.get(url + "?lang=uk")
    wait_for(browser, "[data-testid=cabinet]")
    screenshot(browser, "cabinet-uk-whole")


def _whole_page(browser) -> None:
    """A phone as tall as the page: the screenshot shows every section."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": height, "deviceScaleFactor": 1, "mobile": True},
    )


@pytest.fixture
def family_with_invoices(transactional_db, settings, live_server):
    """A parent who pays for a child (another phone): the child's invoice, covered by the
    child's balance, on the parent's card; the parent's own, which their balance does not
    cover."""
    from zapys.invoices.services import client_payer_set, invoice_create

    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        make_branch(org, "Podil")
        parent = make_client(org, "Мельник Ольга Петрівна", phone="+380631234567")
        child = make_client(org, "Мельник Тарас", phone="+380509990000")
        client_payer_set(client=child, payer=parent, actor=SYSTEM)
        make_entry(child, kind="debit", amount=120_000)
        make_entry(parent, kind="debit", amount=10_000)
        childs = invoice_create(
            client=child, payer=parent, calculation="manual", amount=85_000, actor=SYSTEM,
            comment="Англійська, грудень",
        )  # fmt: skip
        invoice_create(
            client=parent, calculation="manual", amount=40_000, actor=SYSTEM, comment="Йога"
        )
    return org, parent, child, childs


def test_a_payer_pays_the_childs_invoice_from_the_childs_balance(
    browser, live_server, family_with_invoices
):
    from zapys.invoices.models import Invoice

    org, parent, _child, invoice = family_with_invoices
    browser.get(parent.cabinet_url + "?lang=uk")
    wait_for(browser, "[data-testid=payables]")
    screenshot(browser, "cabinet-balance-offer-uk-1366")
    as_phone(browser)
    browser.get(parent.cabinet_url + "?lang=uk")
    wait_for(browser, "[data-testid=payables]")
    assert_fits_the_width(browser)
    offers = browser.find_elements(By.CSS_SELECTOR, "[data-testid=pay-from-balance]")
    assert len(offers) == 1 and offers[0].text.strip() == "Сплатити з балансу"
    owner = browser.find_element(By.CSS_SELECTOR, "[data-testid=balance-owner]").text
    assert owner == "з балансу: Мельник Тарас"
    browser.execute_script("arguments[0].scrollIntoView()", offers[0])
    screenshot(browser, "cabinet-balance-offer-uk-phone")

    click_and_load(browser, "[data-testid=pay-from-balance]")
    wait_for(browser, "[data-testid=pay-from-balance-page]")
    assert_fits_the_width(browser)
    summary = browser.find_element(By.CSS_SELECTOR, "[data-testid=pay-from-balance-summary]").text
    assert "Англійська, грудень" in summary and "Мельник Тарас" in summary
    screenshot(browser, "cabinet-balance-confirm-uk-phone")
    click_and_load(browser, "[data-testid=pay-from-balance-confirm]")
    wait_for(browser, "[data-testid=cabinet-message]")
    assert_fits_the_width(browser)
    message = browser.find_element(By.CSS_SELECTOR, "[data-testid=cabinet-message]").text
    assert message.startswith("Сплачено з балансу (Мельник Тарас): Рахунок ")
    assert "850,00" in message
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=payable]")) == 1
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=pay-from-balance]")
    screenshot(browser, "cabinet-balance-paid-uk-phone")
    with org_scope(org):
        assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
