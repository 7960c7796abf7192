"""In a real browser: sell a membership in each mode from the client's memberships tab,
see the entries and the balance; cancel an entry and see it struck through."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import login, patient, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_ledger import make_client, make_plan
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]


@pytest.fixture
def studio(transactional_db):
    org = make_org("Dance Studio")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="studio-owner", branches=[branch])
        client = make_client(org, "Коваленко Анна")
        plan = make_plan(org, "Сальса 8 занять", price=50_000, visits=8)
    return user, client, plan


def _balance(browser) -> int:
    return int(wait_for(browser, "[data-testid=client-balance]").get_attribute("data-balance"))


def _open_tab(browser, live_server, client) -> None:
    browser.get(f"{live_server.url}/clients/{client.pk}/memberships/")
    wait_for(browser, "[data-testid=client-memberships]")
    wait_for(browser, "[data-testid=ledger-entries]")  # loaded by htmx


def test_sell_in_three_modes_and_cancel_an_entry(browser, live_server, studio, tmp_path):
    user, client, plan = studio
    login(browser, live_server, user.username, PASSWORD)
    _open_tab(browser, live_server, client)
    assert _balance(browser) == 0

    expected = {"paid": (0, 2), "credit": (-50_000, 3), "free": (-50_000, 3)}
    for mode, (balance, entries) in expected.items():
        _open_tab(browser, live_server, client)
        browser.find_element(By.CSS_SELECTOR, "[data-testid=sell-membership]").click()
        wait_for(browser, "[data-testid=sell-form]")
        Select(browser.find_element(By.NAME, "plan")).select_by_value(str(plan.pk))
        browser.find_element(By.CSS_SELECTOR, f"input[name=mode][value={mode}]").click()
        browser.find_element(By.CSS_SELECTOR, "[data-testid=sell-submit]").click()
        patient(browser).until(lambda d: "/sell/" not in d.current_url)
        _open_tab(browser, live_server, client)
        rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=membership-row]")
        assert mode in [r.get_attribute("data-mode") for r in rows]
        assert _balance(browser) == balance
        assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=entry-row]")) == entries
    assert "500,00" in browser.find_element(By.CSS_SELECTOR, "[data-testid=client-balance]").text
    browser.save_screenshot(str(tmp_path / "memberships-tab.png"))

    # Cancel the on-credit charge (the newest entry): it stays, struck through; balance 0.
    newest = browser.find_elements(By.CSS_SELECTOR, "[data-testid=entry-row]")[0]
    entry_id = newest.get_attribute("data-entry-id")
    button = newest.find_element(By.CSS_SELECTOR, "[data-testid=cancel-entry]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    # A JS click: headless Chromium reports the button below its viewport after the scroll.
    browser.execute_script("arguments[0].click()", button)
    alert = patient(browser).until(lambda d: d.switch_to.alert)
    alert.send_keys("Помилка")
    alert.accept()

    def cancelled(driver) -> bool:
        try:
            row = driver.find_element(
                By.CSS_SELECTOR, f"[data-testid=entry-row][data-entry-id='{entry_id}']"
            )
            return row.get_attribute("data-status") == "cancelled"
        except StaleElementReferenceException:  # htmx swapped the table meanwhile
            return False

    patient(browser).until(cancelled)
    row = browser.find_element(
        By.CSS_SELECTOR, f"[data-testid=entry-row][data-entry-id='{entry_id}']"
    )
    assert "text-decoration-line-through" in row.get_attribute("class")
    assert row.value_of_css_property("text-decoration-line").startswith("line-through")
    assert "Помилка" in row.text
    assert _balance(browser) == 0
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=cancel-entry]")) == 2
    browser.save_screenshot(str(tmp_path / "entry-cancelled.png"))
