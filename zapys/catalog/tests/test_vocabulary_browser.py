"""In a real browser at 1366 px: a salon's catalogue reads a salon's words and a school's
a school's (core/vocabulary.py), and each kind's longer tab titles still fit the tabs' one
row. Screenshots in $ZAPYS_SCREENSHOTS."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser import login, screenshot, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]

#: the tabs' texts each kind reads (Ukrainian, the demo's language)
TABS = {
    "salon": ["Послуги", "Напрями та формати", "Групи", "Кабінети"],
    "school": ["Послуги", "Предмети та типи занять", "Групи", "Аудиторії"],
    "studio": ["Послуги", "Напрями та типи занять", "Групи", "Зали"],
}


@pytest.mark.parametrize("kind", list(TABS))
def test_the_catalogue_reads_the_kinds_words(browser, live_server, transactional_db, kind):
    org = make_org("Студія «Зоряна»", business_kind=kind)
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        owner = make_staff(org, "owner", username=f"{kind}-owner", branches=[branch])
    login(browser, live_server, owner.username, PASSWORD)
    browser.add_cookie({"name": "django_language", "value": "uk"})
    browser.get(f"{live_server.url}/catalog/subjects/")
    wait_for(browser, "[data-testid=catalog-tabs]")
    screenshot(browser, f"uk-catalogue-words-{kind}")
    links = browser.find_elements(By.CSS_SELECTOR, "[data-testid=catalog-tabs] .nav-link")
    assert [link.text for link in links] == TABS[kind]
    # one row of tabs at 1366 px, whichever kind's words
    assert len({round(link.rect["y"]) for link in links}) == 1
