"""In a real browser: the outbox shows a console message; the template editor inserts a
variable at the cursor on click and shows the SMS parts live; the client card's Messages
tab sends a message."""

from __future__ import annotations

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser import login, message_editor, patient, wait_for
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_messaging import make_client, make_console_accounts
from zapys.core.tenancy import org_scope
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message, MessageTemplate
from zapys.messaging.services import event_setting_save, message_send_custom

pytestmark = [pytest.mark.browser]


@pytest.fixture
def salon(transactional_db):
    org = make_org("Beauty Salon")
    with org_scope(org):
        branch = make_branch(org, "Center")
        user = make_staff(org, "owner", username="salon-owner", branches=[branch])
        make_console_accounts(org)
        client = make_client(org, "Коваленко Анна", phone="+380671234567")
    return org, user, client


def test_outbox_shows_a_console_message(browser, live_server, salon):
    org, user, client = salon
    with org_scope(org):
        message_send_custom(
            client=client,
            text="Оплатіть бронювання: https://pay.example/abc",
            actor=SYSTEM,
            idempotency_key="browser-1",
        )
        outbox.deliver_due(now=timezone.now())
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/messages/")
    row = wait_for(browser, "[data-testid=message-row]")
    assert "Оплатіть бронювання" in row.text
    assert "+380 67 123 45 67" in row.text  # stored +380671234567
    link = row.find_element(By.CSS_SELECTOR, "[data-testid=message-text] a")
    assert link.get_attribute("href") == "https://pay.example/abc"
    assert row.find_element(By.CSS_SELECTOR, "[data-testid=message-status]").text


def _sms_info(browser):
    info = browser.find_element(By.CSS_SELECTOR, "[data-testid=sms-info]")
    return info.get_attribute("data-encoding"), info.get_attribute("data-parts")


def test_template_editor_inserts_variable_and_counts_parts(browser, live_server, salon):
    org, user, _client = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/settings/messaging/templates/{TEST_MESSAGE}/sms/")
    # The text is typed into the chip editor; the hidden textarea holds it with its keys.
    editor = message_editor(browser, "id_text")
    textarea = browser.find_element(By.CSS_SELECTOR, "[data-testid=template-text]")
    editor.send_keys(Keys.CONTROL, "a", Keys.DELETE)
    editor.send_keys("Hi , see you")
    # Put the cursor after "Hi " and click the variable.
    editor.send_keys(Keys.HOME)
    for _ in range(3):
        editor.send_keys(Keys.ARROW_RIGHT)
    browser.find_element(By.CSS_SELECTOR, '[data-testid="variable-client.first_name"]').click()
    assert textarea.get_attribute("value") == "Hi {client.first_name}, see you"
    patient(browser).until(lambda d: _sms_info(d) == ("GSM-7", "1"))

    editor.send_keys(Keys.END, " — до зустрічі!" * 5)
    patient(browser).until(lambda d: _sms_info(d) == ("UCS-2", "2"))

    browser.find_element(By.CSS_SELECTOR, "[data-testid=save-template]").click()
    patient(browser).until(lambda d: "alert-success" in d.page_source)
    with org_scope(org):
        assert MessageTemplate.objects.get().text.startswith("Hi {client.first_name}, see you")


def test_client_card_messages_tab_sends(browser, live_server, salon):
    org, user, client = salon
    login(browser, live_server, user.username, PASSWORD)
    browser.get(f"{live_server.url}/clients/{client.pk}/")
    wait_for(browser, "[data-tab=messages]").click()
    form = wait_for(browser, "[data-testid=client-message-form]")
    form.find_element(By.NAME, "text").send_keys("Чекаємо вас завтра о 10:00")
    form.find_element(By.CSS_SELECTOR, "button").click()
    patient(browser).until(
        lambda d: any(
            "Чекаємо вас завтра" in e.text
            for e in d.find_elements(By.CSS_SELECTOR, "[data-testid=client-message]")
        )
    )
    with org_scope(org):
        message = Message.objects.get()
    assert message.channel == "sms" and message.recipient == "+380671234567"


# The text a <select> shows cannot be read back clipped or not: measure it in the select's own
# font against the room inside its padding and arrow.
_CLIPPED_SELECTS = """
const canvas = document.createElement("canvas").getContext("2d");
return [...document.querySelectorAll("[data-testid=order-default] select")].filter(s => {
  const style = getComputedStyle(s);
  canvas.font = style.font;
  const text = canvas.measureText(s.options[s.selectedIndex].text).width;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return text > room;
}).map(s => s.options[s.selectedIndex].text);
"""


def test_the_channel_order_lists_are_not_clipped_at_1366(browser, live_server, salon):
    """Sixth tour: the first of four lists in a row showed «Telegrai» at 1366 px."""
    org, user, _client = salon
    with org_scope(org):
        event_setting_save(
            organization=org, event="", channels=["telegram", "viber", "sms", "email"], actor=SYSTEM
        )
    login(browser, live_server, user.username, PASSWORD)
    assert browser.execute_script("return window.innerWidth") == 1366
    browser.get(f"{live_server.url}/settings/messaging/")
    wait_for(browser, "[data-testid=order-default] select")
    shown = browser.execute_script(
        "return [...document.querySelectorAll('[data-testid=order-default] select')]"
        ".map(s => s.options[s.selectedIndex].text)"
    )
    assert shown == ["Telegram", "Viber", "SMS", "E-mail"]
    assert browser.execute_script(_CLIPPED_SELECTS) == []
