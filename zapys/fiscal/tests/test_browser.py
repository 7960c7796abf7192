"""A cash register set up and used as a new owner would, in a real browser, against the
local Checkbox simulator: the register saved, the connection checked, a top-up fiscalised,
a failed receipt retried from the Fiscal receipts page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import click_and_load, login, wait_text
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.simulators.checkbox import CheckboxSimulator
from zapys.core.tenancy import org_scope
from zapys.fiscal.models import CashRegister, FiscalReceipt
from zapys.fiscal.sending import receipts_send
from zapys.fiscal.tests.factories import paid_topup

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
    return org, user


def test_register_set_up_checked_and_receipts_seen(browser, live_server, salon, tmp_path):
    org, user = salon
    with CheckboxSimulator() as sim:
        login(browser, live_server, user.username, PASSWORD)
        browser.get(f"{live_server.url}/settings/cash-registers/")
        browser.find_element(By.NAME, "license_key").send_keys("LIC-1")
        browser.find_element(By.NAME, "cashier_login").send_keys("cashier")
        browser.find_element(By.NAME, "cashier_password").send_keys("secret")
        browser.find_element(By.NAME, "base_url").send_keys(f"{sim.base_url}/api/v1")
        time_input = browser.find_element(By.NAME, "close_shift_at")
        browser.execute_script("arguments[0].value = '21:30'", time_input)
        # The native time picker can cover the button in headless Chromium: submit the form.
        browser.find_element(By.NAME, "cashier_login").submit()
        wait_text(browser, "[data-testid=registers]", "Podil")
        assert "Podil" in browser.find_element(By.CSS_SELECTOR, "[data-testid=registers]").text
        assert "secret" not in browser.page_source and "LIC-1" not in browser.page_source
        click_and_load(browser, "[data-testid=check-connection]")
        assert "4000000001" in browser.page_source
        browser.save_screenshot(str(tmp_path / "registers.png"))

        with org_scope(org):
            assert CashRegister.objects.count() == 1
            paid_topup(org, 25_050)
            paid_topup(org, 10_000)
            sim.error_next = "ДПС: помилка підпису"
            receipts_send(timezone.now() + timedelta(minutes=1))
        browser.get(f"{live_server.url}/fiscal-receipts/")
        page = browser.page_source
        assert "ДПС: помилка підпису" in page and "TEST-" in page and "250,50" in page
        browser.save_screenshot(str(tmp_path / "receipts.png"))
        click_and_load(browser, "[data-testid=retry]")
        with org_scope(org):
            assert FiscalReceipt.objects.filter(status="pending").count() == 1
