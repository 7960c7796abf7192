"""In a real browser: a list of checkboxes and a radio group take their own room and push
the next field down (issue 17, root cause A: the options were drawn over the next field,
on the service, staff and invoice forms). Screenshots in $ZAPYS_SCREENSHOTS."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser import login, screenshot, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_ledger import make_client
from zapys.core.tenancy import org_scope

pytestmark = [pytest.mark.browser]


@pytest.fixture
def studio(transactional_db):
    org = make_org("Choice Studio")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        make_branch(org, "Центр")
        owner = make_staff(org, "owner", username="choice-owner", branches=[branch])
        client = make_client(org, "Коваленко Анна")
    return owner, client


def _box(element) -> tuple[float, float, float, float]:
    r = element.rect
    return r["x"], r["y"], r["x"] + r["width"], r["y"] + r["height"]


def _assert_laid_out(browser, name: str) -> None:
    """Every option's label to the right of its input on the same line, every option above
    whatever follows the list, and the list's options inside the page's card."""
    fieldset = wait_for(browser, f"[data-testid=choices-{name}]")
    options = fieldset.find_elements(By.CSS_SELECTOR, ".form-check")
    assert len(options) >= 2
    bottom = _box(fieldset)[3]
    for option in options:
        box = _box(option.find_element(By.CSS_SELECTOR, "input"))
        label = _box(option.find_element(By.CSS_SELECTOR, "label"))
        assert label[0] >= box[2] and label[1] < box[3] and box[1] < label[3]
        assert label[3] <= bottom + 0.5
    following = browser.execute_script(
        "return arguments[0].nextElementSibling || arguments[0].parentElement.nextElementSibling",
        fieldset,
    )
    if following is not None:
        assert _box(following)[1] >= bottom - 0.5


@pytest.mark.parametrize("language", ["uk", "en"])
def test_choice_lists_push_the_next_field_down(browser, live_server, studio, language):
    owner, client = studio
    login(browser, live_server, owner.username, PASSWORD)
    browser.add_cookie({"name": "django_language", "value": language})
    for page, url, field in (
        ("services_new", "/services/new/", "branches"),
        ("staff_new", "/settings/staff/new/", "branches"),
        ("invoice_new", f"/clients/{client.pk}/invoices/new/", "calculation"),
    ):
        browser.get(f"{live_server.url}{url}")
        _assert_laid_out(browser, field)
        screenshot(browser, f"choice-lists-{language}-{page}")
