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


MENU_FITS = """
var nav = arguments[0], box = nav.getBoundingClientRect();
var page = document.querySelector('.zapys-settings-page').getBoundingClientRect();
var links = Array.prototype.slice.call(nav.querySelectorAll('.nav-link'));
var tops = links.map(function (l) { return Math.round(l.getBoundingClientRect().top); });
return [links.length,
  links.every(function (l) { var r = l.getBoundingClientRect();
    return r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1; }),
  nav.scrollWidth <= nav.clientWidth + 1,
  document.documentElement.scrollWidth <= window.innerWidth,
  box.right <= page.left, new Set(tops).size === tops.length,
  getComputedStyle(nav.querySelector('.nav-link.active')).color];
"""


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_settings_menu_fits_beside_the_page_at_1366(browser, live_server, salon, language):
    """Twelve tabs in a row wrapped to two rows at 1366 px (four with the prepayment's own):
    the settings are a menu beside the page now, one link a line, nothing cut or scrolling."""
    _org, user = salon
    user.language = language
    user.save(update_fields=["language"])
    login(browser, live_server, user.username, PASSWORD)
    assert browser.execute_script("return window.innerWidth") == 1366
    for path in ("/settings/staff/", "/settings/schedule/", "/settings/prepayment/"):
        browser.get(f"{live_server.url}{path}")
        nav = wait_for(browser, "[data-testid=settings-tabs]")
        count, inside, no_scroll, page_fits, beside, one_per_line, colour = browser.execute_script(
            MENU_FITS, nav
        )
        assert count >= 12 and inside and no_scroll and page_fits, path
        assert beside and one_per_line, path  # a column left of the page, not rows above it
        assert colour == "rgb(91, 75, 219)", path
    # the prepayment settings' own pages are listed under its tab, in the same style
    sub = browser.find_element(
        By.CSS_SELECTOR, "[data-testid=settings-tabs] [data-testid=prepayment-tabs]"
    )
    assert sub.find_element(By.CSS_SELECTOR, ".active").value_of_css_property("color") == (
        "rgba(91, 75, 219, 1)"
    )


def test_the_settings_menu_is_a_row_of_tabs_at_1024(browser, live_server, salon):
    _org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.set_window_size(1024, 900)
    try:
        browser.get(f"{live_server.url}/settings/prepayment/")
        nav = wait_for(browser, "[data-testid=settings-tabs]")
        count, inside, no_scroll, page_fits, _beside, _one, _colour = browser.execute_script(
            MENU_FITS, nav
        )
        assert count >= 12 and inside and no_scroll and page_fits
        page_top = browser.execute_script(
            "return document.querySelector('.zapys-settings-page').getBoundingClientRect().top"
        )
        assert nav.rect["y"] + nav.rect["height"] <= page_top + 1  # above the page
    finally:
        browser.set_window_size(1366, 900)
