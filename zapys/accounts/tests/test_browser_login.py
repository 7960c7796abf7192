"""The login page's lockout in a real browser (issue 10): after the failures the page
itself says, in the salon's language, when to try again — not axes' bare text."""

import pytest
from selenium.webdriver.common.by import By

from tests.browser import click_and_load, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]


@pytest.fixture
def owner(transactional_db):
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        return make_staff(org, "owner", username="lab-owner", branches=[branch])


def submit(browser, live_server, username: str, password: str) -> str:
    browser.get(f"{live_server.url}/login/")
    wait_for(browser, "[data-testid=login-form]")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    click_and_load(browser, "[data-testid=login-submit]")
    return wait_for(browser, "[data-testid=form-errors]").text


def test_the_lockout_is_the_login_page_saying_when_to_try_again(browser, live_server, owner):
    for _ in range(4):
        assert "Too many" not in submit(browser, live_server, owner.username, "wrong")
    fifth = submit(browser, live_server, owner.username, "wrong")
    assert fifth.startswith("Too many failed sign-in attempts. You can try again after ")
    until = fifth.split("after ")[1][:5]  # HH:MM

    # In Ukrainian, and the right password is refused with the same time.
    click_and_load(browser, "[data-testid=lang-switch] button[value=uk]")
    refused = submit(browser, live_server, owner.username, PASSWORD)
    assert refused.startswith(
        f"Забагато невдалих спроб входу. Спробувати знову можна після {until}."
    )
    assert "/login/" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=nav]") == []
