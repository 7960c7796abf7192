"""In headless Chromium: a client opens the unsubscribe link of a broadcast on a phone in
Ukrainian and unsubscribes; staff filter their notifications and mark one read.
Screenshots go to /tmp/shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import (
    PHONE,
    assert_fits_the_width,
    click_and_load,
    login,
    make_driver,
    wait_for,
)
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_messaging import make_client
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging.models import MarketingOptOut, StaffNotification
from zapys.messaging.services import unsubscribe_url

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/shots")


def test_unsubscribe_on_a_phone_and_notification_filters(
    browser, live_server, transactional_db, settings
):
    SHOTS.mkdir(exist_ok=True)
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Салон Весна")
    with org_scope(org):
        owner = make_staff(org, "owner", username="vesna", branches=[make_branch(org, "Поділ")])
        person = make_client(org)
        link = unsubscribe_url(person)
        StaffNotification.objects.create(
            organization=org, title="Розсилку надіслано", level="success"
        )
        StaffNotification.objects.create(
            organization=org, title="Платіж не пройшов", level="warning"
        )

    phone = make_driver(PHONE, language="uk")
    try:
        phone.get(link)
        wait_for(phone, "[data-testid=unsubscribe-button]")
        assert "Салон Весна" in phone.find_element(By.TAG_NAME, "body").text
        assert_fits_the_width(phone)
        phone.save_screenshot(str(SHOTS / "unsubscribe-phone-uk.png"))
        click_and_load(phone, "[data-testid=unsubscribe-button]")
        wait_for(phone, "[data-testid=subscribe]")
        assert "Ви відписалися" in phone.find_element(By.TAG_NAME, "body").text
        phone.save_screenshot(str(SHOTS / "unsubscribed-phone-uk.png"))
    finally:
        phone.quit()
    with unscoped():
        assert MarketingOptOut.objects.filter(client=person, channel="").exists()

    login(browser, live_server, owner.username, PASSWORD)
    browser.get(f"{live_server.url}/notifications/")
    Select(browser.find_element(By.NAME, "kind")).select_by_value("warning")
    click_and_load(browser, "[data-testid=filter]")
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=notification-row]")
    titles = [
        r.find_element(By.CSS_SELECTOR, "[data-testid=notification-title]").text for r in rows
    ]
    assert titles == ["Платіж не пройшов"]
    # "Unread" is for screen readers only: not seen, but there
    assert (
        rows[0]
        .find_element(By.CSS_SELECTOR, ".visually-hidden")
        .get_attribute("textContent")
        .startswith("Непрочитане")
    )
    click_and_load(browser, "[data-testid=mark-read]")
    assert "kind=warning" in browser.current_url  # the filters are kept
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=mark-read]")
    browser.save_screenshot(str(SHOTS / "notifications-filtered-uk.png"))
    with unscoped():
        assert StaffNotification.objects.get(title="Платіж не пройшов").read_at is not None
        assert StaffNotification.objects.get(title="Розсилку надіслано").read_at is None
