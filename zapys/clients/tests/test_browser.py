"""The clients flow in a real browser: create with tags, filter by tag, card, delete, restore."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.browser import (
    click_and_load,
    login,
    patient,
    screenshot,
    wait_attr,
    wait_for,
    wait_text,
)
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_clients import make_client
from tests.factories_ledger import make_entry
from zapys.clients.models import Client
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db):
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
        make_client(org, "Старий Клієнт", tags=["VIP"])
        make_client(org, "Інший Клієнт")
    return org, user


def _rows(browser):
    return browser.find_elements(By.CSS_SELECTOR, "[data-testid=client-row]")


def test_create_filter_open_delete_restore(browser, live_server, salon):
    org, user = salon
    login(browser, live_server, user.username, PASSWORD)

    # Create a client with an existing and a brand-new tag.
    browser.get(f"{live_server.url}/clients/")
    wait_for(browser, "[data-testid=client-new]").click()
    wait_for(browser, "[data-testid=client-form]")
    browser.find_element(By.NAME, "last_name").send_keys("Коваленко")
    browser.find_element(By.NAME, "first_name").send_keys("Олена")
    browser.find_element(By.NAME, "phone").send_keys("067 123 45 67")
    browser.find_element(By.NAME, "tags").send_keys("Йога")
    browser.find_element(By.CSS_SELECTOR, "[data-tag-add=VIP]").click()  # the suggestion chip
    save = browser.find_element(By.CSS_SELECTOR, "[data-testid=client-save]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", save)
    screenshot(browser, "client-form-name-parts")
    save.click()
    wait_text(browser, "[data-testid=client-name]", "Коваленко Олена")
    tags = {el.text for el in browser.find_elements(By.CSS_SELECTOR, "[data-testid=client-tag]")}
    assert tags == {"Йога", "VIP"}
    assert (
        "+380 67 123 45 67"  # stored +380671234567, shown as people write it
        in browser.find_element(By.CSS_SELECTOR, "[data-testid=client-overview]").text
    )

    # The list filtered by the new tag shows only her.
    browser.get(f"{live_server.url}/clients/")
    wait_for(browser, "[data-testid=client-table]")
    assert len(_rows(browser)) == 3
    browser.find_element(By.CSS_SELECTOR, "[data-testid='tag-filter-Йога']").click()
    patient(browser).until(lambda d: len(_rows(d)) == 1)
    assert "Коваленко Олена" in _rows(browser)[0].text
    assert "tag=" in browser.current_url  # htmx pushed the filter into the address

    # Open the card, look at the history tab, delete.
    _rows(browser)[0].find_element(By.PARTIAL_LINK_TEXT, "Коваленко").click()
    wait_text(browser, "[data-testid=client-name]", "Коваленко Олена")
    browser.find_element(By.CSS_SELECTOR, "[data-tab=history]").click()
    wait_text(
        browser, "[data-testid=client-history]", "Клієнта додано"
    )  # the action in words, not its key
    browser.find_element(By.CSS_SELECTOR, "[data-testid=client-delete]").click()
    patient(browser).until(EC.alert_is_present()).accept()
    wait_for(browser, "[data-testid=client-table]")
    assert all("Коваленко" not in row.text for row in _rows(browser))

    # Deleted clients list → card → restore.
    click_and_load(browser, "[data-testid=deleted-clients]")
    wait_for(browser, "[data-testid=client-table]")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Коваленко").click()
    wait_for(browser, "[data-testid=deleted-banner]")
    click_and_load(browser, "[data-testid=client-restore]")
    wait_for(browser, "[data-testid=client-actions]")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=deleted-banner]")
    with org_scope(org):
        client = Client.objects.get(name="Коваленко Олена")
        assert (client.last_name, client.first_name) == ("Коваленко", "Олена")
        assert client.deleted_at is None
        assert sorted(client.tags.values_list("name", flat=True)) == ["VIP", "Йога"]


def test_cancelling_an_entry_refreshes_the_card_balance(browser, live_server, salon):
    """The Payments tab is swapped by htmx; the header balance must follow it."""

    org, user = salon
    with org_scope(org):
        client = make_client(org, "Боржник Петро")
        make_entry(client, "credit", 160_000, purpose="membership_sale")
        make_entry(client, "credit", 300_000, purpose="service")
        payment = make_entry(client, "debit", 160_000, purpose="payment")
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/clients/{client.pk}/")
    header = "#client-card-balance [data-testid=client-balance]"
    assert wait_for(browser, header).get_attribute("data-balance") == "-300000"
    browser.find_element(By.CSS_SELECTOR, "[data-tab=payments]").click()
    row = f"[data-testid=entry-row][data-entry-id='{payment.pk}']"
    wait_for(browser, row).find_element(By.CSS_SELECTOR, "[data-testid=cancel-entry]").click()
    prompt = patient(browser).until(EC.alert_is_present())
    prompt.send_keys("помилка")
    prompt.accept()
    wait_attr(browser, row, "data-status", "cancelled")
    wait_attr(browser, header, "data-balance", "-460000")
    tab_balance = browser.find_element(
        By.CSS_SELECTOR, "#ledger-entries [data-testid=client-balance]"
    )
    assert tab_balance.get_attribute("data-balance") == "-460000"
