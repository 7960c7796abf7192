"""In headless Chromium (issue 17): on the automatic-invoicing page an administrator writes
a new reminder's text by pressing the buttons named «Ім'я клієнта» and «Посилання на
рахунок» (the new rule's text on the same page is left alone), saves it, and reads the
reminder as the client gets it. Screenshots go to /tmp/shots/invoices/."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import click_and_load, login, message_editor, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_client
from zapys.core.tenancy import org_scope
from zapys.invoices import services
from zapys.invoices.models import DunningLevel

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/shots/invoices")


def _click(driver, css: str) -> None:
    element = wait_for(driver, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_a_reminder_is_written_with_the_named_buttons(
    browser, live_server, transactional_db, settings
):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія Лад")
    with org_scope(org):
        branch = make_branch(org, "Центр")
        user = make_staff(org, "owner", username="lad-owner", branches=[branch])
        invoice = services.invoice_create(
            client=make_client(org, name="Марченко Оксана"),
            calculation="manual",
            amount=30_000,
            actor=SYSTEM,
        )
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/finance/invoice-rules/")
    text = message_editor(browser, "id_level_template")  # the chip editor over the field
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", text)
    text.click()
    text.send_keys("Вітаємо, ")
    reminder_buttons = "[data-variable-fields=id_level_template]"
    _click(browser, f"{reminder_buttons} [data-testid='variable-customer.first_name']")
    text.send_keys("! Оплата: ")
    _click(browser, f"{reminder_buttons} [data-testid='variable-bill.url']")
    assert (
        "Ім'я клієнта"
        in browser.find_element(
            By.CSS_SELECTOR, f"{reminder_buttons} [data-testid='variable-customer.first_name']"
        ).text
    )
    assert [chip.text for chip in text.find_elements(By.CSS_SELECTOR, "[data-key]")] == [
        "Ім'я клієнта",
        "Посилання на рахунок",
    ]
    assert browser.find_element(By.ID, "id_level_template").get_attribute("value") == (
        "Вітаємо, {customer.first_name}! Оплата: {bill.url}"
    )
    assert browser.find_element(By.ID, "id_template").get_attribute("value") == ""
    days = browser.find_element(By.ID, "id_level_days")
    days.clear()
    days.send_keys("2")
    Select(browser.find_element(By.ID, "id_level_when")).select_by_value("after")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "reminder-named-buttons.png"))
    click_and_load(browser, "[data-testid=dunning] [data-testid=save-dunning]")
    shown = wait_for(browser, "[data-testid=dunning-text]").text
    browser.save_screenshot(str(SHOTS / "reminder-preview.png"))
    assert shown == f"Вітаємо, Оксано! Оплата: {invoice.url}"
    assert (
        "Так це отримає клієнт."
        in browser.find_element(By.CSS_SELECTOR, "[data-testid=preview-note]").text
    )
    with org_scope(org):
        assert DunningLevel.objects.get().template == (
            "Вітаємо, {customer.first_name}! Оплата: {bill.url}"
        )
