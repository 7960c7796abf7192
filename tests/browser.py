"""Headless Chromium through Selenium, with Debian's chromium + chromium-driver (no downloads).

Use the `browser` fixture with pytest-django's `live_server`; mark tests `@pytest.mark.browser`.
`login(browser, live_server, username, password)` signs a staff member in.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = os.environ.get("ZAPYS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ZAPYS_CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP = (1366, 900)
PHONE = (390, 844)


def make_driver(size: tuple[int, int] = DESKTOP, language: str = "uk") -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-gpu",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={size[0]},{size[1]}",
        f"--lang={language}",
        # Bootstrap scrolls smoothly unless reduced motion is asked for: a click right after
        # scrollIntoView then lands while the page is still moving (under a phone's sticky bar)
        "--force-prefers-reduced-motion",
    ):
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='zapys-chrome-')}")
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


SCREENSHOTS = Path(os.environ.get("ZAPYS_SCREENSHOTS", "/tmp/shots"))


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    """Save the page as $ZAPYS_SCREENSHOTS/<name>.png (default /tmp/shots), to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def as_phone(driver: webdriver.Chrome) -> None:
    """Chromium's window cannot be narrower than 500px: emulate a real 390px phone."""
    height = driver.execute_script("return window.innerHeight")
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE[0], "height": height, "deviceScaleFactor": 1, "mobile": True},
    )


def assert_fits_the_width(driver: webdriver.Chrome) -> None:
    assert driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    ), "no horizontal scrolling"


def browser_available() -> bool:
    return bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)) and os.path.exists(CHROMEDRIVER)


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    if not browser_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium/chromedriver missing on CI: .ci/run must install them")
        pytest.skip("chromium and chromium-driver are not installed")
    driver = make_driver()
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: webdriver.Chrome, css: str, timeout: float = 20):
    return WebDriverWait(driver, timeout).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def wait_text(driver: webdriver.Chrome, css: str, text: str, timeout: float = 20) -> None:
    WebDriverWait(driver, timeout).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
    )


def patient(driver: webdriver.Chrome, timeout: float = 20) -> WebDriverWait:
    """A WebDriverWait for a loaded CI machine: 20 s, and an element htmx swapped away
    (stale) or not there yet just means "look again"."""
    return WebDriverWait(
        driver, timeout, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )


def wait_attr(
    driver: webdriver.Chrome, css: str, name: str, value: str, timeout: float = 20
) -> None:
    """Wait until the element's attribute has the value. htmx may swap the element between
    finding it and reading it: a stale or missing element just means "look again"."""
    patient(driver, timeout).until(
        lambda d: d.find_element(By.CSS_SELECTOR, css).get_attribute(name) == value
    )


def _htmx_idle(driver: webdriver.Chrome) -> bool:
    return bool(
        driver.execute_script(
            "return document.readyState === 'complete' && !document.querySelector("
            "'.htmx-request, .htmx-swapping, .htmx-settling')"
        )
    )


def wait_htmx_idle(driver: webdriver.Chrome, timeout: float = 20) -> None:
    """Wait until the page's `hx-trigger="load"` parts (the visit card's checkout and refund
    panels) have arrived and been swapped in. Clicking before that races the swap: the layout
    moves under the pointer and the click lands elsewhere (CI, 2026-12-04: a "Cancel visit"
    click that never showed its confirm)."""
    patient(driver, timeout).until(_htmx_idle)


def click_and_confirm(driver: webdriver.Chrome, css: str, timeout: float = 20) -> None:
    """Click a button guarded by `hx-confirm` once the page is still, and accept its dialog."""
    wait_htmx_idle(driver, timeout)
    button = wait_for(driver, css, timeout)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()
    WebDriverWait(driver, timeout).until(EC.alert_is_present())
    driver.switch_to.alert.accept()


def _loaded(driver: webdriver.Chrome) -> bool:
    return driver.execute_script("return document.readyState") == "complete"


def _document_moved(error: WebDriverException) -> bool:
    """Chromium's answer when a click lands while the page it was found on is being replaced
    (a redirect still committing): the element is gone, the click did nothing."""
    return "does not belong to the document" in (error.msg or "")


#: What to click: an element, a CSS selector, or (selector, index) among its matches.
Target = WebElement | str | tuple[str, int]


def _gone(element: WebElement) -> bool:
    """Whether the element's page has been replaced. Selenium's `staleness_of` knows only
    the "stale element" answer; while the new page is committing Chromium may answer "Node
    with given id does not belong to the document" instead, which means the same (and broke
    CI twice on 2026-12-03 inside `staleness_of`)."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as error:
        if _document_moved(error):
            return True
        raise
    return False


def click_and_load(driver: webdriver.Chrome, target: Target, timeout: float = 20) -> None:
    """Click something that loads a new page (a form post, a link) and wait until the old
    document is gone and the new one has finished loading: waiting for an element that both
    pages have would otherwise find the old one and go stale under the next click.

    Chromium sometimes answers "Node with given id does not belong to the document" while a
    page is being replaced: asked about the old page, it means "gone" (`_gone`); answered to
    the click itself, the click went through when the old page is gone, and otherwise a
    target given as a selector is found afresh and clicked again (an element found earlier
    cannot be)."""
    patient(driver, timeout).until(_loaded)
    old = driver.find_element(By.TAG_NAME, "html")

    def clicked(d: webdriver.Chrome) -> bool:
        if isinstance(target, WebElement):
            element = target
        else:
            css, index = (target, 0) if isinstance(target, str) else target
            found = d.find_elements(By.CSS_SELECTOR, css)
            if not found or index >= len(found) or index < -len(found):
                return False  # not there yet
            element = found[index]
            d.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except (ElementClickInterceptedException, ElementNotInteractableException):
            # Still scrolling into place, or covered for a moment (a sticky bar on a phone):
            # the click did not happen; look again.
            return False
        except WebDriverException as error:
            if not (isinstance(error, StaleElementReferenceException) or _document_moved(error)):
                raise
            if _gone(old):
                return True
            if isinstance(target, WebElement):
                raise
            return False
        return True

    patient(driver, timeout).until(clicked)
    WebDriverWait(driver, timeout).until(lambda _d: _gone(old))
    patient(driver, timeout).until(_loaded)


def login(driver: webdriver.Chrome, live_server, username: str, password: str) -> None:
    driver.get(f"{live_server.url}/login/")
    wait_for(driver, "[data-testid=login-form]")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "[data-testid=login-submit]").click()
    wait_for(driver, "[data-testid=nav]")


def message_editor(driver: webdriver.Chrome, field_id: str, timeout: float = 20) -> WebElement:
    """The chip editor a message text field is shown as (`messaging/message_editor.js`): type
    into it and press the insert buttons; the hidden field `#<field_id>` keeps the text with
    its placeholders ("{client.first_name}"), which is what the form sends."""
    return wait_for(driver, f"[data-editor-for={field_id}]", timeout)


def chip_labels(editor: WebElement) -> list[str]:
    """The words of the chips in a message editor, in order."""
    return [chip.text for chip in editor.find_elements(By.CSS_SELECTOR, "[data-key]")]
