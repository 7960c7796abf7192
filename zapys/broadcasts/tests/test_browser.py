"""In headless Chromium, as an owner would: compose a broadcast to a tag, preview it for a
sample client, read the estimate (recipients, SMS parts, cost), send, and watch the progress
bar (htmx polling) reach done while the worker delivers; the page on a phone in English.
Screenshots (uk and en) go to /tmp/shots."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser import (
    PHONE,
    assert_fits_the_width,
    click_and_load,
    login,
    make_driver,
    message_editor,
    wait_attr,
    wait_for,
)
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_clients import make_client, make_tag
from tests.factories_messaging import make_console_accounts
from zapys.broadcasts import services
from zapys.broadcasts.jobs import send_broadcasts
from zapys.broadcasts.models import Broadcast, BroadcastSettings
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging import outbox
from zapys.messaging.models import Message

pytestmark = [pytest.mark.browser]

SHOTS = Path("/tmp/shots")


@pytest.fixture
def salon(transactional_db, settings, live_server):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Салон Весна")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        owner = make_staff(org, "owner", username="vesna-owner", branches=[branch])
        make_console_accounts(org)
        BroadcastSettings.objects.create(organization=org, sms_price=95)
        make_tag(org, "VIP")
        vip = [make_client(org, f"Коваленко Ірина{i}", tags=["VIP"]) for i in range(4)]
        make_client(org, "Сидоренко Петро")  # not in the tag
    return org, owner, vip


def test_broadcast_to_a_tag_preview_estimate_send_and_watch(browser, live_server, salon):
    SHOTS.mkdir(exist_ok=True)
    _org, owner, vip = salon
    login(browser, live_server, owner.username, PASSWORD)
    browser.get(f"{live_server.url}/broadcasts/")
    click_and_load(browser, "[data-testid=new-broadcast]")
    Select(browser.find_element(By.NAME, "audience")).select_by_value("tags")
    Select(browser.find_element(By.NAME, "tags")).select_by_visible_text("VIP")
    # A key typed into the chip editor becomes a chip; the hidden field keeps the key.
    message_editor(browser, "id_text").send_keys(
        "{client.first_name}, у п'ятницю знижка 20% для вас!"
    )
    click_and_load(browser, "[data-testid=preview]")
    assert wait_for(browser, "[data-testid=estimate-total]").text == "4"
    preview = browser.find_element(By.CSS_SELECTOR, "[data-testid=preview-text]").text
    assert preview.startswith(f"{vip[0].first_name}, у п'ятницю знижка 20% для вас!")
    assert "/u/" in preview  # the unsubscribe link is part of the SMS
    parts = int(browser.find_element(By.CSS_SELECTOR, "[data-testid=estimate-parts]").text)
    assert parts == 4 * 2  # Cyrillic (UCS-2) with the link: two parts each
    assert "7,60" in browser.find_element(By.CSS_SELECTOR, "[data-testid=estimate-cost]").text
    browser.save_screenshot(str(SHOTS / "broadcast-preview-uk.png"))

    # The worker is not running yet: the page shows the broadcast waiting and polls.
    with mock.patch.object(services, "_enqueue"):
        click_and_load(browser, "[data-testid=send]")
    wait_attr(browser, "[data-testid=progress]", "data-status", "scheduled")
    browser.save_screenshot(str(SHOTS / "broadcast-progress-uk.png"))
    with unscoped():
        broadcast = Broadcast.objects.get()
    # The worker's tick: the job queues the audience, the outbox delivers to the console.
    now = timezone.now()
    send_broadcasts(now)
    outbox.deliver_due(now=now)
    send_broadcasts(now)  # sees every row final: done, staff notified
    wait_attr(browser, "[data-testid=progress]", "data-status", "done", timeout=30)
    # The test-mode transport reached no one: nothing is counted as sent, the four rows are
    # the test mode's own figure (as each row's badge says).
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=progress-sent]").text == "0"
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=progress-test-mode]").text == "4"
    browser.refresh()
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=log-row]")
    assert len(rows) == 4
    # the demo's test-mode transport reached no one: the log says so, as Messages does
    shown = [r.find_element(By.CSS_SELECTOR, "[data-testid=message-status]").text for r in rows]
    assert shown == ["Тестовий режим: не надіслано"] * 4
    browser.save_screenshot(str(SHOTS / "broadcast-done-uk.png"))
    with unscoped():
        assert Message.objects.filter(related_id=str(broadcast.pk)).count() == 4

    phone = make_driver(PHONE, language="en")
    try:
        login(phone, live_server, owner.username, PASSWORD)
        phone.add_cookie({"name": "django_language", "value": "en"})
        phone.get(f"{live_server.url}/broadcasts/{broadcast.pk}/")
        wait_attr(phone, "[data-testid=progress]", "data-status", "done")
        assert "Delivery log" in phone.find_element(By.TAG_NAME, "body").text
        assert_fits_the_width(phone)
        phone.save_screenshot(str(SHOTS / "broadcast-done-phone-en.png"))
        phone.get(f"{live_server.url}/broadcasts/new/")
        wait_for(phone, "[data-testid=broadcast-form]")
        assert_fits_the_width(phone)
        phone.save_screenshot(str(SHOTS / "broadcast-new-phone-en.png"))
    finally:
        phone.quit()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_clients_are_picked_by_search_on_a_phone(live_server, salon, language):
    """The searchable client picker (not a plain multi-select): type, pick two clients,
    remove one, pick again; the chips survive the preview and the estimate counts them."""
    SHOTS.mkdir(exist_ok=True)
    _org, owner, vip = salon
    phone = make_driver(PHONE, language=language)
    try:
        login(phone, live_server, owner.username, PASSWORD)
        phone.add_cookie({"name": "django_language", "value": language})
        phone.get(f"{live_server.url}/broadcasts/new/")
        wait_for(phone, "[data-testid=broadcast-form]")
        Select(phone.find_element(By.NAME, "audience")).select_by_value("clients")
        search = wait_for(phone, "[data-testid=broadcast-client-search]")
        assert not phone.find_elements(By.CSS_SELECTOR, "select[name=clients]")
        for client in (vip[0], vip[2], vip[1]):
            search.send_keys(client.name)
            option = wait_for(phone, "[data-testid=broadcast-client-option]")
            assert option.get_attribute("data-label") == client.name
            option.click()
        chips = phone.find_elements(By.CSS_SELECTOR, "[data-testid=client-chip]")
        assert [c.text for c in chips] == [vip[0].name, vip[2].name, vip[1].name]
        chips[1].find_element(By.CSS_SELECTOR, "[data-chip-remove]").click()
        assert len(phone.find_elements(By.CSS_SELECTOR, "[data-testid=client-chip]")) == 2
        message_editor(phone, "id_text").send_keys("{client.first_name}, hi!")
        assert_fits_the_width(phone)
        phone.save_screenshot(str(SHOTS / f"broadcast-picker-phone-{language}.png"))
        click_and_load(phone, "[data-testid=preview]")
        assert wait_for(phone, "[data-testid=estimate-total]").text == "2"
        chips = phone.find_elements(By.CSS_SELECTOR, "[data-testid=client-chip]")
        assert sorted(c.text for c in chips) == sorted([vip[0].name, vip[1].name])
        assert_fits_the_width(phone)
        phone.save_screenshot(str(SHOTS / f"broadcast-picker-preview-phone-{language}.png"))
    finally:
        phone.quit()
