"""The top bar holds at 1024 px and at 1366 px: the branch selector keeps its chosen
branch's whole name (at 1024 px it was squeezed to «Под»), nothing in the bar is pushed past
its edge, and a long organization name gives way (truncated, whole on hover) instead."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import login
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]

#: The chosen option's words measured in the select's own font against its text box, and
#: whether the bar's content overflows it.
HEADER_FITS = """
const s = document.getElementById('branch-switch');
const style = getComputedStyle(s);
const canvas = document.createElement('canvas').getContext('2d');
canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
const text = s.options[s.selectedIndex].text;
const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
const bar = document.querySelector('header.zapys-topbar');
const right = Math.max(...[...bar.children].filter(e => e.offsetParent)
  .map(e => e.getBoundingClientRect().right));
return [canvas.measureText(text).width <= room + 0.5, bar.scrollWidth <= bar.clientWidth,
        right <= bar.getBoundingClientRect().right + 0.5];
"""


@pytest.fixture
def salon(transactional_db):
    org = make_org("Салон краси «Зоряна» на Подолі")
    with org_scope(org):
        podil = make_branch(org, "Поділ")
        make_branch(org, "Центр, вул. Хрещатик")
        user = make_staff(
            org,
            "owner",
            username="zoriana-owner",
            branches=[podil],
            first_name="Олена",
            last_name="Коваленко",
        )
    return org, user


@pytest.mark.parametrize("width", [1024, 1366])
def test_the_top_bar_keeps_the_branch_name_whole(browser, live_server, salon, width):
    org, user = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.set_window_size(width, 900)
    try:
        for branch in ("Поділ", "Центр, вул. Хрещатик"):
            browser.get(f"{live_server.url}/clients/")
            select = browser.find_element(By.ID, "branch-switch")
            browser.execute_script(
                "const s = arguments[0]; s.value = [...s.options].find(o => o.text === arguments[1]).value;",
                select,
                branch,
            )
            browser.execute_script("arguments[0].form.submit()", select)
            WebDriverWait(browser, 20).until(
                lambda d: (
                    d.execute_script(
                        "const s = document.getElementById('branch-switch');"
                        "return document.readyState === 'complete' && s && s.title;"
                    )
                    == branch
                )
            )
            whole, no_scroll, inside = browser.execute_script(HEADER_FITS)
            assert whole and no_scroll and inside, (width, branch)
        name = browser.find_element(By.CSS_SELECTOR, "[data-testid=org-name]")
        assert name.get_attribute("title") == org.name
    finally:
        browser.set_window_size(1366, 900)
