"""In headless Chromium: a message text is edited with its variables as chips named in the
page's language (`messaging/message_editor.js`), never as "{client.first_name}".

In Ukrainian and in English, on a studio like the demo's: the message-template editor (an
SMS, with its live length counter) and an invoice reminder's text show chips and no «{»;
a button inserts a chip at the caret, Backspace deletes a chip whole, typed and pasted keys
become chips, Enter is a new line, and what is saved is the key text the server always
stored. A key nobody offers stays as typed, so the server's error reads against the screen.
Without JavaScript the textarea is the editor, as before. Screenshots: $ZAPYS_SCREENSHOTS/editor-*.png.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser import (
    chip_labels,
    click_and_load,
    login,
    make_driver,
    message_editor,
    patient,
    screenshot,
    wait_for,
    wait_htmx_idle,
)
from tests.factories import PASSWORD, SYSTEM, make_branch, make_org, make_staff
from tests.factories_ledger import make_client
from zapys.core.tenancy import org_scope
from zapys.invoices import rules, services
from zapys.invoices.models import DunningLevel
from zapys.messaging.models import MessageTemplate
from zapys.messaging.rendering import PLACEHOLDER_RE
from zapys.messaging.sms import sms_parts

pytestmark = [pytest.mark.browser]

PAYMENT_LINK = "checkout.payment_link"  # «Оплата візиту»: name, amount, service, link

#: The chips of the payment link's default SMS (a studio speaking Ukrainian to its clients:
#: "{client.first_name}, оплатіть {amount} за {service}: {link} {organization.name}").
PAYMENT_LINK_CHIPS = {
    "uk": ["Ім'я клієнта", "Сума", "Послуга", "Посилання на оплату", "Назва закладу"],
    "en": ["Client's first name", "Amount", "Service", "Payment link", "Business name"],
}


@pytest.fixture
def studio(transactional_db):
    org = make_org("Студія краси «Зоряна»")
    with org_scope(org):
        branch = make_branch(org, "Центр")
        owner = make_staff(org, "owner", username="zoriana", branches=[branch], first_name="Зоряна")
        client = make_client(org, name="Марченко Оксана")
    return org, owner, client


def _open(browser, live_server, owner, language: str) -> None:
    owner.language = language
    owner.save(update_fields=["language"])
    login(browser, live_server, owner.username, PASSWORD)


def _shot(browser, name: str) -> None:
    screenshot(browser, f"editor-{name}")


def _value(browser, field_id: str) -> str:
    return browser.find_element(By.ID, field_id).get_attribute("value")


def _visible_text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "main").text


def _paste(browser, editor, text: str) -> None:
    """What Ctrl+V with `text` on the clipboard gives the editor (a headless browser has no
    clipboard of its own to fill)."""
    browser.execute_script(
        "var data = new DataTransfer(); data.setData('text/plain', arguments[1]);"
        "arguments[0].dispatchEvent(new ClipboardEvent('paste',"
        " {clipboardData: data, bubbles: true, cancelable: true}));",
        editor,
        text,
    )


def _press(browser, css: str) -> None:
    button = wait_for(browser, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def _own_length(text: str) -> int:
    """The SMS counter's length: the template's own words, without its variables."""
    return sms_parts(PLACEHOLDER_RE.sub("", text)).length


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_template_editor_shows_chips_and_saves_keys(browser, live_server, studio, language):
    org, owner, _client = studio
    _open(browser, live_server, owner, language)
    browser.get(f"{live_server.url}/settings/messaging/templates/{PAYMENT_LINK}/sms/")
    editor = message_editor(browser, "id_text")
    wait_htmx_idle(browser)

    # The text is chips with words; the field with the keys is in the form, not on screen.
    assert chip_labels(editor) == PAYMENT_LINK_CHIPS[language]
    assert _value(browser, "id_text") == (
        "{client.first_name}, оплатіть {amount} за {service}: {link} {organization.name}"
    )
    assert not browser.find_element(By.ID, "id_text").is_displayed()
    assert "{" not in _visible_text(browser)
    # A text box to assistive technology, named by the field's label.
    assert editor.get_attribute("role") == "textbox"
    assert editor.get_attribute("aria-multiline") == "true"
    label = browser.find_element(By.ID, editor.get_attribute("aria-labelledby"))
    assert label.text == {"uk": "Текст", "en": "Text"}[language]
    _shot(browser, f"template-{language}")

    # Backspace after the last chip deletes it whole.
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys(Keys.BACKSPACE)
    assert (
        _value(browser, "id_text") == "{client.first_name}, оплатіть {amount} за {service}: {link} "
    )
    # Typed text, then a chip from its button at the caret, then a new line.
    editor.send_keys("Дякуємо, ")
    _press(browser, '[data-testid="variable-client.first_name"]')
    editor.send_keys("!", Keys.ENTER, "Ваша ")
    # A key typed by hand becomes a chip once it is complete; a pasted one too.
    editor.send_keys("{organization.name}")
    _paste(browser, editor, " · {amount}")
    expected = (
        "{client.first_name}, оплатіть {amount} за {service}: {link} Дякуємо, "
        "{client.first_name}!\nВаша {organization.name} · {amount}"
    )
    assert _value(browser, "id_text") == expected
    assert chip_labels(editor)[-3:] == [
        PAYMENT_LINK_CHIPS[language][0],
        PAYMENT_LINK_CHIPS[language][4],
        PAYMENT_LINK_CHIPS[language][1],
    ]
    assert "{" not in _visible_text(browser)
    # The SMS counter (htmx, on the field's "input") counts the text as it now is.
    length = _own_length(expected)
    patient(browser).until(
        lambda d: f"{length} " in d.find_element(By.CSS_SELECTOR, "[data-testid=sms-info]").text
    )
    _shot(browser, f"template-edited-{language}")

    click_and_load(browser, "[data-testid=save-template]")
    with org_scope(org):
        stored = MessageTemplate.objects.get(event=PAYMENT_LINK, channel="sms").text
    # A form sends a textarea's new lines as CRLF, as it always did.
    assert stored.replace("\r\n", "\n") == expected
    editor = message_editor(browser, "id_text")
    assert len(chip_labels(editor)) == 7 and "{" not in _visible_text(browser)

    # A key the buttons do not offer stays as typed: the server names it under the field.
    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys(" {visit_time}")
    click_and_load(browser, "[data-testid=save-template]")
    editor = message_editor(browser, "id_text")
    assert editor.text.endswith("{visit_time}") and "is-invalid" in editor.get_attribute("class")
    error = browser.find_element(By.CSS_SELECTOR, ".invalid-feedback").text
    assert "{visit_time}" in error
    _shot(browser, f"template-unknown-{language}")
    with org_scope(org):
        assert MessageTemplate.objects.get(event=PAYMENT_LINK, channel="sms").text == stored


#: The reminder's chips ("{customer.first_name}, нагадуємо: {bill.amount_url}").
REMINDER_CHIPS = {
    "uk": ["Ім'я клієнта", "Сума і посилання"],
    "en": ["Client's first name", "Amount and link"],
}


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_reminders_text_is_edited_with_chips(browser, live_server, studio, settings, language):
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org, owner, client = studio
    with org_scope(org):
        services.invoice_create(client=client, calculation="manual", amount=30_000, actor=SYSTEM)
        level = rules.dunning_level_create(
            organization=org,
            days_from_due=1,
            actor=SYSTEM,
            template="{customer.first_name}, нагадуємо: {bill.amount_url}",
        )
    _open(browser, live_server, owner, language)
    browser.get(f"{live_server.url}/finance/invoice-rules/reminders/{level.pk}/")
    editor = message_editor(browser, "id_template")
    wait_htmx_idle(browser)
    assert chip_labels(editor) == REMINDER_CHIPS[language]
    assert "{" not in _visible_text(browser)
    _shot(browser, f"reminder-{language}")

    editor.send_keys(Keys.CONTROL, Keys.END)
    editor.send_keys(Keys.BACKSPACE)  # the amount and link, whole
    editor.send_keys("сума ")
    _press(browser, '[data-testid="variable-bill.amount"]')
    editor.send_keys(", оплата: ")
    _press(browser, '[data-testid="variable-bill.url"]')
    expected = "{customer.first_name}, нагадуємо: сума {bill.amount}, оплата: {bill.url}"
    assert _value(browser, "id_template") == expected
    assert chip_labels(editor) == [
        REMINDER_CHIPS[language][0],
        {"uk": "Сума до сплати", "en": "Amount due"}[language],
        {"uk": "Посилання на рахунок", "en": "Invoice link"}[language],
    ]
    assert "{" not in _visible_text(browser)
    # A live preview of the message, redrawn on the field's "input", follows the edit.
    for preview in browser.find_elements(By.CSS_SELECTOR, '[hx-trigger*="from:#id_template"]'):
        patient(browser).until(lambda _d, preview=preview: ", оплата: " in preview.text)
    _shot(browser, f"reminder-edited-{language}")

    click_and_load(browser, "[data-testid=save-dunning]")
    with org_scope(org):
        assert DunningLevel.objects.get(pk=level.pk).template == expected


def test_without_javascript_the_textarea_is_the_editor(live_server, studio):
    org, owner, _client = studio
    driver = make_driver()
    try:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        login(driver, live_server, owner.username, PASSWORD)
        driver.get(f"{live_server.url}/settings/messaging/templates/{PAYMENT_LINK}/sms/")
        textarea = wait_for(driver, "#id_text")
        assert textarea.is_displayed() and not driver.find_elements(By.CSS_SELECTOR, "[data-key]")
        textarea.send_keys(Keys.CONTROL, "a", Keys.DELETE)
        textarea.send_keys("{client.first_name}, до зустрічі!")
        click_and_load(driver, "[data-testid=save-template]")
        with org_scope(org):
            assert MessageTemplate.objects.get(event=PAYMENT_LINK, channel="sms").text == (
                "{client.first_name}, до зустрічі!"
            )
    finally:
        driver.quit()
