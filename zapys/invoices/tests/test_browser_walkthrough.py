"""In headless Chromium, as a new owner would: an invoice of each calculation type from the
client card (manual, by membership price, by forecast with its breakdown), sending one by
e-mail with a typed text and seeing the delivery log, the payer opening the link (counted as
opened), a mixed selection archived from the list with the protocol read, and a rule edited
and deleted. Screenshots go to /tmp/shots/invoices/."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import PHONE, click_and_load, login, make_driver, message_editor, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_client, make_membership, make_plan
from tests.factories_messaging import make_console_accounts
from tests.factories_payments import make_account
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.core.tenancy import org_scope, organization_zone
from zapys.invoices import rules, services
from zapys.invoices.models import Invoice, InvoiceRule
from zapys.messaging.models import Message

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/shots/invoices")


@pytest.fixture
def studio(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Музична школа Лад")
    org.legal_name, org.phone = "ФОП Лад Андрій", "+380441112233"
    org.save()
    with org_scope(org):
        branch = make_branch(org, "Центр")
        user = make_staff(org, "owner", username="lad-owner", branches=[branch])
        make_account(org, "sandbox")
        make_console_accounts(org)
        pupil = make_client(org, name="Шевченко Тарас", email="taras@example.com")
        plan = make_plan(org, name="Фортепіано 8", price=160_000, visits=1)
        membership = make_membership(pupil, plan, mode="credit")
        # two lessons ahead for the forecast; the membership's one visit covers the first
        teacher = make_specialist(org, branch)
        lesson = make_service(org, name="Фортепіано", price=45_000)
        zone = organization_zone(org)
        today = services.local_today(org)
        for days in (1, 3):
            make_visit(
                org,
                client=pupil,
                staff=teacher,
                service=lesson,
                branch=branch,
                price=45_000,
                starts_at=datetime.combine(today + timedelta(days=days), time(15), zone),
            )
    return org, user, pupil, membership


def _press(driver, css: str) -> None:
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", wait_for(driver, css)
    )
    click_and_load(driver, css)


def _shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _choose(driver, value: str) -> None:
    radio = driver.find_element(By.CSS_SELECTOR, f"input[name=calculation][value={value}]")
    driver.execute_script("arguments[0].click()", radio)


def _issue(browser, live_server, pupil, calculation: str, fill) -> str:
    browser.get(f"{live_server.url}/clients/{pupil.pk}/invoices/new/")
    wait_for(browser, "[data-testid=invoice-form]")
    _choose(browser, calculation)
    fill()
    _shot(browser, f"new-{calculation}")
    _press(browser, "[data-testid=save-invoice]")
    wait_for(browser, "[data-testid=invoice-number]")
    _shot(browser, f"detail-{calculation}")
    return browser.find_element(By.CSS_SELECTOR, "[data-testid=invoice-number]").text


def test_a_new_owner_walks_through_invoices(browser, live_server, studio):
    org, user, pupil, _membership = studio
    login(browser, live_server, user.username, PASSWORD)

    manual = _issue(
        browser,
        live_server,
        pupil,
        "manual",
        lambda: browser.find_element(By.NAME, "amount").send_keys("750,50"),
    )
    assert "750,50" in browser.find_element(By.CSS_SELECTOR, "[data-testid=invoice-amount]").text

    def pick_membership() -> None:
        Select(browser.find_element(By.NAME, "membership")).select_by_index(1)

    by_price = _issue(browser, live_server, pupil, "membership", pick_membership)
    assert "1 600,00" in browser.find_element(By.CSS_SELECTOR, "[data-testid=invoice-amount]").text

    def forecast_period() -> None:
        end = browser.find_element(By.NAME, "period_end")
        day = services.local_today(org) + timedelta(days=7)
        browser.execute_script("arguments[0].value = arguments[1]", end, day.isoformat())

    forecast = _issue(browser, live_server, pupil, "forecast", forecast_period)
    breakdown = browser.find_element(By.CSS_SELECTOR, "[data-testid=breakdown]").text
    assert "Фортепіано" in breakdown
    assert len({manual, by_price, forecast}) == 3

    # send the manual one by e-mail with a typed text; the delivery log shows it
    with org_scope(org):
        manual_invoice = Invoice.objects.get(number=manual)
    browser.get(f"{live_server.url}/finance/invoices/{manual_invoice.pk}/")
    Select(browser.find_element(By.NAME, "channel")).select_by_value("email")
    text = message_editor(browser, "id_text")  # the chip editor over the hidden field
    text.send_keys("Доброго дня! Рахунок: ")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=tags] button").click()  # a tag
    _press(browser, "[data-testid=send]")
    log = wait_for(browser, "[data-testid=delivery-log]").text
    _shot(browser, "sent")
    with org_scope(org):
        sent = Message.objects.get(related_type="invoices.invoice", related_id=manual_invoice.pk)
        assert sent.channel == "email" and sent.text.startswith("Доброго дня! Рахунок: ")
        assert "{" not in sent.text
    assert "taras@example.com" in log

    # the payer opens the link on a phone
    phone = make_driver(PHONE, language="uk")
    try:
        phone.get(manual_invoice.url)
        wait_for(phone, "[data-testid=invoice-page][data-status=awaiting]")
        assert "750,50" in phone.find_element(By.TAG_NAME, "body").text
        _shot(phone, "public-phone")
    finally:
        phone.quit()
    with org_scope(org):
        assert Invoice.objects.get(pk=manual_invoice.pk).opened_at is not None

    # archive a mixed selection: one paid, one already archived, two open
    with org_scope(org):
        paid = Invoice.objects.get(number=by_price)
        Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=paid.amount)
        services.invoice_archive(invoice=Invoice.objects.get(number=forecast), actor=SYSTEM)
        extra = services.invoice_create(
            client=pupil, calculation="manual", amount=10_000, actor=SYSTEM
        )
    browser.get(f"{live_server.url}/finance/invoices/")
    wait_for(browser, "[data-testid=select-all]").click()
    _shot(browser, "list-selected")
    browser.execute_script("window.confirm = () => true")
    _press(browser, "[data-testid=bulk-archive]")
    rows = wait_for(browser, "[data-testid=protocol]").text
    _shot(browser, "protocol")
    lines = rows.splitlines()
    assert lines.count("В архіві") == 2  # the two open ones, done
    assert "Уже в архіві" in lines
    assert "Цей рахунок оплачено, його не можна архівувати" in lines
    with org_scope(org):
        statuses = dict(Invoice.objects.values_list("number", "status"))
    assert statuses[manual] == "archived" and statuses[extra.number] == "archived"
    assert statuses[by_price] == "paid"

    # a rule: edit it, then delete it (its invoices stay)
    with org_scope(org):
        rule = rules.rule_save(
            organization=org,
            actor=SYSTEM,
            schedule=rules.Schedule("month", time(9), day=1),
            name="Щомісяця",
            method="membership",
        )
    browser.get(f"{live_server.url}/finance/invoice-rules/")
    _press(browser, "[data-testid=edit-rule]")
    wait_for(browser, "[data-testid=rule-edit]")
    statuses = browser.find_elements(By.CSS_SELECTOR, "[data-testid=client-status] .form-check")
    assert len(statuses) == 3  # each status its own checkbox with its label
    browser.execute_script(
        "document.querySelector('[data-testid=client-status]').scrollIntoView({block: 'center'})"
    )
    _shot(browser, "rule-edit-filters")
    name = browser.find_element(By.NAME, "name")
    name.clear()
    name.send_keys("Щотижня по п'ятницях")
    Select(browser.find_element(By.NAME, "every")).select_by_value("week")
    Select(browser.find_element(By.NAME, "weekday")).select_by_value("4")
    Select(browser.find_element(By.NAME, "pay_window")).select_by_value("5d")
    _shot(browser, "rule-edit")
    _press(browser, "[data-testid=save-rule]")
    wait_for(browser, "[data-testid=rules-table]")
    _shot(browser, "rules-after-edit")
    assert (
        "Щотижня по п'ятницях"
        in browser.find_element(By.CSS_SELECTOR, "[data-testid=rules-table]").text
    )
    with org_scope(org):
        rule.refresh_from_db()
        assert (rule.name, rule.pay_window) == ("Щотижня по п'ятницях", "5d")
    _press(browser, "[data-testid=rules-table] [data-testid=delete-rule]")
    wait_for(browser, "[data-testid=rule-delete]")
    _shot(browser, "rule-delete-confirm")
    _press(browser, "[data-testid=confirm-delete]")
    wait_for(browser, "[data-testid=rules-table]")
    _shot(browser, "rules-after-delete")
    with org_scope(org):
        assert InvoiceRule.objects.get().deleted_at is not None  # kept for its invoices
    assert "Щотижня" not in browser.find_element(By.CSS_SELECTOR, "[data-testid=rules-table]").text
