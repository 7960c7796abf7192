"""The staff shell in a real browser: login, dashboard, language switch, logout."""

import pytest
from selenium.webdriver.common.by import By

from tests.browser import login, wait_for, wait_text
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db):
    org = make_org("Beauty Lab")
    with org_scope(org):
        branch = make_branch(org, "Podil")
        make_branch(org, "Center")
        user = make_staff(org, "owner", username="lab-owner", branches=[branch], first_name="Olena")
    return org, user


def test_login_opens_the_dashboard_and_language_switches(browser, live_server, salon, tmp_path):
    _org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=org-name]").text == "Beauty Lab"
    title = browser.find_element(By.CSS_SELECTOR, "[data-testid=dashboard-title]").text
    assert "Olena" in title and "Вітаємо" in title
    nav = browser.find_element(By.CSS_SELECTOR, "[data-testid=nav]").text
    assert "Головна" in nav and "Налаштування" in nav
    browser.save_screenshot(str(tmp_path / "dashboard-uk.png"))

    browser.find_element(By.CSS_SELECTOR, "[data-testid=lang-switch] button[value=en]").click()
    wait_text(browser, "[data-testid=dashboard-title]", "Hello")
    assert "Dashboard" in browser.find_element(By.CSS_SELECTOR, "[data-testid=nav]").text

    # the branch switcher lists both branches
    options = browser.find_elements(By.CSS_SELECTOR, "#branch-switch option")
    assert sorted(o.text for o in options) == ["Center", "Podil"]

    browser.find_element(By.CSS_SELECTOR, "[data-testid=user-menu]").click()
    wait_for(browser, "[data-testid=logout]").click()
    wait_for(browser, "[data-testid=login-form]")
    assert "/login/" in browser.current_url


def test_wrong_password_shows_a_readable_error(browser, live_server, salon):
    browser.get(f"{live_server.url}/login/")
    wait_for(browser, "[data-testid=login-form]")
    browser.find_element(By.NAME, "username").send_keys("lab-owner")
    browser.find_element(By.NAME, "password").send_keys("wrong")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=login-submit]").click()
    error = wait_for(browser, "[data-testid=form-errors]")
    assert error.text  # the message itself is translated; it must be shown
    assert "/login/" in browser.current_url


def test_settings_tabs_all_visible_at_1366_in_the_product_colour(browser, live_server, salon):
    _org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    assert browser.execute_script("return window.innerWidth") == 1366
    for path in ("/settings/schedule/", "/settings/prepayment/"):
        browser.get(f"{live_server.url}{path}")
        nav = wait_for(browser, "[data-testid=settings-tabs]")
        count, all_inside, no_scroll, colour = browser.execute_script(
            "var nav = arguments[0], box = nav.getBoundingClientRect();"
            "var links = Array.prototype.slice.call(nav.querySelectorAll('.nav-link'));"
            "return [links.length, links.every(function (l) {"
            "  var r = l.getBoundingClientRect();"
            "  return r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1; }),"
            " nav.scrollWidth <= nav.clientWidth + 1,"
            " getComputedStyle(nav.querySelector('.nav-link.active')).color];",
            nav,
        )
        assert count >= 7 and all_inside and no_scroll, path
        assert colour == "rgb(91, 75, 219)", path
    # the prepayment settings' own sub-tabs are purple too, not Bootstrap's blue
    active = browser.find_element(By.CSS_SELECTOR, "[data-testid=prepayment-tabs] .active")
    assert active.value_of_css_property("background-color") == "rgba(91, 75, 219, 1)"
