"""Issue 17 in a real browser: the settings show each provider's own fields."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import login, screenshot, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db):
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch])
    return org, user


def _shown(browser) -> set[str]:
    return {
        e.get_attribute("name")
        for e in browser.find_elements(By.CSS_SELECTOR, "[data-codes]")
        if e.is_displayed()
    }


def test_payment_account_form_shows_only_the_chosen_providers_fields(browser, live_server, salon):
    _org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/settings/payment-accounts/")
    provider = Select(wait_for(browser, "select[name=provider]"))
    provider.select_by_value("liqpay")
    assert _shown(browser) == {"public_key", "private_key", "sandbox"}
    screenshot(browser, "payment-account-liqpay")
    provider.select_by_value("wayforpay")
    assert _shown(browser) == {"merchant_account", "secret_key", "merchant_domain"}
    provider.select_by_value("sandbox")
    assert _shown(browser) == set()
    screenshot(browser, "payment-account-sandbox")
