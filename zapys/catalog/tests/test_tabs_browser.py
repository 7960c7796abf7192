"""In a real browser: the catalogue's tabs (services, subjects and lesson types, groups,
rooms; the working hours are the staff's since issue 17's fifth tour) are in the same place on every one of its pages, so moving from tab
to tab nothing jumps (issue 17 review: on rooms and subjects they sat 17 px higher, where
the heading's row had no "New …" button). Screenshots in $ZAPYS_SCREENSHOTS."""

from __future__ import annotations

import pytest

from tests.browser import login, screenshot, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]

#: Every page that shows the catalogue's tabs.
PAGES = ("/services/", "/catalog/subjects/", "/catalog/groups/", "/catalog/rooms/")

#: catalog/_tabs.html's list, in the product's one tab style (core/_section_tabs.html).
TABS = "[data-testid=catalog-tabs]"

TABS_TOP = """
const tabs = document.querySelector(arguments[0]);
return tabs.getBoundingClientRect().top + window.scrollY;
"""


@pytest.fixture
def owner(transactional_db):
    org = make_org("Студія краси «Зоряна»")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        return make_staff(org, "owner", username="catalog-owner", branches=[branch])


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_tabs_are_in_one_place_on_every_catalogue_page(browser, live_server, owner, language):
    login(browser, live_server, owner.username, PASSWORD)
    browser.add_cookie({"name": "django_language", "value": language})
    tops = {}
    for url in PAGES:
        browser.get(f"{live_server.url}{url}")
        wait_for(browser, TABS)
        screenshot(browser, f"{language}-catalogue-tabs-{url.strip('/').replace('/', '_')}")
        tops[url] = round(browser.execute_script(TABS_TOP, TABS), 1)
    assert len(set(tops.values())) == 1, tops
