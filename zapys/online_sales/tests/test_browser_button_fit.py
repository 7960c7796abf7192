"""The shop's buy buttons fit their text and the button editor's inputs fit theirs (issue 17
review: a long plan name wrapped inside the fixed 240 px button and ran out of it; the
editor's inputs were too narrow for the default text). Headless Chromium, Ukrainian and
English, 1366 px and a 390 px phone. Screenshots go to $ZAPYS_SCREENSHOTS (default
/tmp/shots) as ofit_*.png."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser import (
    DESKTOP,
    as_phone,
    assert_fits_the_width,
    login,
    make_driver,
    screenshot,
    wait_for,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from zapys.accounts.models import User
from zapys.core.tenancy import org_scope
from zapys.online_sales.services import plan_online_update
from zapys.online_sales.tests.factories import make_shop

pytestmark = [pytest.mark.browser]

LONG = "Безлімітний абонемент на групові заняття з йоги, пілатесу та стретчингу"

# The text inside the element is not cut or spilled: it needs no more room than it has.
TEXT_FITS = (
    "var e = arguments[0];"
    "return e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1;"
)
# The element lies inside its container (the plan's card).
INSIDE = (
    "var e = arguments[0].getBoundingClientRect();"
    "var c = arguments[0].closest('.card-body').getBoundingClientRect();"
    "return e.left >= c.left - 0.5 && e.right <= c.right + 0.5;"
)


@pytest.fixture
def studio(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія Танцю")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        short = make_shop(org, name="Танці 8 занять", price=120_000, visits=8)
        long = make_shop(org, name=LONG, price=450_000, visits=None, validity_value=3)
        # the default texts: "Купити «…»" / "Buy “…”" with the long name
        plan_online_update(plan=long, actor=SYSTEM, button_text="", button_text_en="")
        make_staff(org, User.Role.OWNER, username="owner-fit", branches=[branch])
    return org, short, long


@pytest.mark.parametrize("language", ["uk", "en"])
@pytest.mark.parametrize("phone", [False, True], ids=["1366", "390"])
def test_the_shops_buttons_fit_their_text(live_server, studio, language, phone):
    org, _short, long = studio
    driver = make_driver(DESKTOP)
    try:
        if phone:
            as_phone(driver)
        driver.get(f"{live_server.url}/shop/{org.slug}/?lang={language}")
        wait_for(driver, "[data-testid=buy-button]")
        screenshot(driver, f"ofit_shop_{language}_{'390' if phone else '1366'}")
        buttons = driver.find_elements(By.CSS_SELECTOR, "[data-testid=buy-button]")
        assert len(buttons) == 2
        texts = [button.text.replace("\n", " ") for button in buttons]
        default = {"uk": f"Купити «{LONG}»", "en": f"Buy “{LONG}”"}[language]
        assert default in texts
        for button in buttons:
            assert driver.execute_script(TEXT_FITS, button), button.text
            assert driver.execute_script(INSIDE, button), button.text
        # wider than its 240 px minimum, and as tall as its lines need
        long_button = buttons[texts.index(default)]
        assert long_button.size["width"] > 240 and long_button.size["height"] > 48
        assert_fits_the_width(driver)

        driver.get(f"{live_server.url}/shop/{org.slug}/{long.pk}/?lang={language}")
        terms = wait_for(driver, "[data-testid=plan-terms]").text
        assert (
            terms
            == {
                "uk": "Діє 3 місяці від активації · безлімітні відвідування",
                "en": "Valid for 3 months from activation · unlimited visits",
            }[language]
        )
        assert_fits_the_width(driver)
        screenshot(driver, f"ofit_plan_{language}_{'390' if phone else '1366'}")
    finally:
        driver.quit()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_button_editors_inputs_fit_their_text_at_1366(live_server, studio, language):
    org, _short, long = studio
    with org_scope(org):
        User.objects.filter(username="owner-fit").update(language=language)
    driver = make_driver(DESKTOP)
    try:
        login(driver, live_server, "owner-fit", PASSWORD)
        driver.get(f"{live_server.url}/online-sales/plans/{long.pk}/button/")
        form = wait_for(driver, "[data-testid=button-form]")
        uk = form.find_element(By.NAME, "button_text")
        en = form.find_element(By.NAME, "button_text_en")
        # each text field's placeholder is its own language's default, shown whole
        assert uk.get_attribute("placeholder") == f"Купити «{LONG}»"
        assert en.get_attribute("placeholder") == f"Buy “{LONG}”"
        screenshot(driver, f"ofit_editor_{language}_1366")
        for field in (uk, en):
            driver.execute_script(
                "arguments[0].value = arguments[0].placeholder;"
                "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
                field,
            )
            assert driver.execute_script(TEXT_FITS, field), field.get_attribute("name")
        for field in form.find_elements(By.CSS_SELECTOR, "input[type=number]"):
            assert field.size["width"] >= 150, field.get_attribute("name")
        # every label on one line, none cut
        for label in form.find_elements(By.CSS_SELECTOR, "label.form-label"):
            assert label.size["height"] < 30, label.text
        # both previews follow the texts, inside the preview card
        for testid in ("preview", "preview-en"):
            preview = driver.find_element(By.CSS_SELECTOR, f"[data-testid={testid}]")
            assert LONG in preview.text.replace("\n", " ")
            assert driver.execute_script(TEXT_FITS, preview)
            assert driver.execute_script(INSIDE, preview)
        assert_fits_the_width(driver)

        driver.get(f"{live_server.url}/online-sales/plans/")
        wait_for(driver, "[data-testid=plans-form]")
        field = driver.find_element(By.NAME, f"text_{long.pk}")
        assert field.get_attribute("placeholder") == f"Купити «{LONG}»"
        assert field.size["width"] >= 320  # the name column wraps; the text field does not shrink
        assert_fits_the_width(driver)
        screenshot(driver, f"ofit_plans_{language}_1366")
    finally:
        driver.quit()
