"""Issue 17, "Speak the administrator's language" (the messaging part of the review tour):

- the channel order offers only the channels the organization can send through; the others
  say "Connect Viber" instead of pretending (Viber was listed with no Viber account);
- the send-speed hint of an account names its own provider's pace (an SMS account's form
  said "Telegram about 30 a second");
- a company is greeted neutrally («Вітаємо! …»), never by its name («ФОП Мельник А. В., …»);
- the template editor shows the text clients get (the organization's language), and the
  page's language only beside it, labelled;
- the test mode's badge stays on one line.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import SYSTEM
from tests.factories_clients import make_client
from tests.factories_messaging import make_console_accounts, make_transport_account
from zapys.broadcasts.selectors import broadcast_text
from zapys.core.models import AuditLog
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import EventSetting, MessageTemplate
from zapys.messaging.rendering import render_template
from zapys.messaging.services import event_setting_save, message_send, message_send_custom

pytestmark = pytest.mark.django_db


def _in(owner, language):
    owner.language = language
    owner.save(update_fields=["language"])


def _page(staff_client, name, *args, query=""):
    response = staff_client.get(reverse(name, args=args) + query)
    assert response.status_code == 200
    return response.content.decode()


def _order_section(page: str) -> str:
    return page.split('id="channel-order"')[1].split('<form method="post" class="card"')[0]


def _offered(section: str, row: str) -> list[str]:
    """The channels one row's first select offers (the empty choice left out)."""
    block = section.split(f'data-testid="order-{row}"')[1].split('data-testid="order-')[0]
    select = block.split("<select")[1].split("</select>")[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


# --- 1. the channel order: only what can send ----------------------------------------------


def _without_viber(org):
    """What the demo has: SMS, e-mail and Telegram accounts (the test mode), no Viber."""
    for channel in ("sms", "email", "telegram"):
        make_transport_account(org, channel)


@pytest.mark.parametrize(
    ("language", "connect", "default"),
    [
        ("en", "Connect Viber", "(Telegram → SMS → E-mail)"),
        ("uk", "Підключити Viber", "(Telegram → SMS → E-mail)"),
    ],
)
def test_the_channel_order_offers_only_connected_channels(
    org, owner, actor, staff_client, language, connect, default
):
    _without_viber(org)
    # The demo's stored default names Viber too: it is not shown while nothing carries it.
    event_setting_save(
        organization=org, event="", channels=["telegram", "viber", "sms", "email"], actor=actor
    )
    _in(owner, language)
    section = _order_section(_page(staff_client, "messaging:settings"))
    assert _offered(section, "default") == ["sms", "email", "telegram"]
    assert _offered(section, TEST_MESSAGE) == ["sms", "email", "telegram"]
    assert ">Viber<" not in section and "Viber →" not in section
    link = section.split('data-testid="connect-viber"')[0].rsplit("<a", 1)[1]
    assert f'href="{reverse("messaging:account_new")}?channel=viber"' in link
    assert connect in section.split('data-testid="connect-viber"')[1].split("</a>")[0]
    assert default in section
    # Every connected channel is the test mode here: each says so, on one line.
    assert section.count('data-testid="channel-test-mode"') == 3
    for badge in re.findall(r'<span class="([^"]*)" data-testid="channel-test-mode"', section):
        assert "text-nowrap" in badge


def test_a_real_account_is_not_marked_test_mode(org, owner, staff_client):
    make_transport_account(org, "sms", "turbosms", {"token": "t", "sender": "Salon"})
    section = _order_section(_page(staff_client, "messaging:settings"))
    assert _offered(section, "default") == ["sms"]
    assert 'data-testid="channel-test-mode"' not in section
    for channel in ("email", "telegram", "viber"):
        assert f'data-testid="connect-{channel}"' in section


def test_without_any_account_the_section_says_nothing_can_be_sent(org, owner, staff_client):
    _in(owner, "uk")
    section = _order_section(_page(staff_client, "messaging:settings"))
    assert "Жодного каналу не підключено" in section
    assert _offered(section, "default") == []
    assert "Типовий порядок</summary>" in section  # no empty "()" after it


def test_an_unconnected_channel_cannot_be_put_in_the_order(org, owner, actor, staff_client):
    _without_viber(org)
    before = AuditLog.objects.count()
    response = staff_client.post(
        reverse("messaging:channel_order"),
        {f"order-{TEST_MESSAGE}-event": TEST_MESSAGE, f"order-{TEST_MESSAGE}-first": "viber"},
    )
    assert response.status_code == 200
    assert 'data-testid="order-error"' in response.content.decode()
    assert not EventSetting.objects.exists()
    assert AuditLog.objects.count() == before


def test_a_stored_unconnected_channel_is_kept_until_the_row_is_changed(
    org, owner, actor, staff_client
):
    _without_viber(org)
    event_setting_save(
        organization=org, event="", channels=["telegram", "viber", "sms", "email"], actor=actor
    )
    before = AuditLog.objects.count()
    shown = {
        "order-default-event": "",
        "order-default-first": "telegram",
        "order-default-second": "sms",
        "order-default-third": "email",
        "order-default-is_enabled": "on",
    }
    # Saved as shown: nothing changed, nothing is written (Viber takes its place again
    # once it is connected).
    assert staff_client.post(reverse("messaging:channel_order"), shown).status_code == 302
    assert EventSetting.objects.get(event="").channel_list == ["telegram", "viber", "sms", "email"]
    assert AuditLog.objects.count() == before
    # Changed: the row is what the page shows.
    changed = {**shown, "order-default-first": "sms", "order-default-second": "telegram"}
    assert staff_client.post(reverse("messaging:channel_order"), changed).status_code == 302
    assert EventSetting.objects.get(event="").channel_list == ["sms", "telegram", "email"]


# --- 2. the send-speed hint names the account's own provider ---------------------------


@pytest.mark.parametrize(
    ("language", "channel", "words"),
    [
        ("en", "sms", "this service's usual pace: up to 10 a second"),
        ("uk", "sms", "звичайному для цього сервісу темпі: до 10 за секунду"),
        ("en", "email", "Leave empty to send without a limit."),
        ("uk", "email", "Залиште порожнім, щоб надсилати без обмеження."),
        ("en", "viber", "this service's usual pace: up to 20 a second"),
        ("en", "telegram", "this service's usual pace: up to 25 a second"),
    ],
)
def test_the_speed_hint_names_the_accounts_own_provider(
    org, owner, staff_client, language, channel, words
):
    _in(owner, language)
    page = _page(staff_client, "messaging:account_new", query=f"?channel={channel}")
    field = unescape(page.split('id="id_max_per_second"')[1].split("</div>")[0])
    assert words in field
    if channel != "telegram":
        assert "Telegram" not in field
    # The page swaps the hint when another provider is picked: one per provider.
    hints = json.loads(page.split('id="rate-hints" type="application/json">')[1].split("<")[0])
    assert set(hints) == {"turbosms", "twilio", "email", "telegram", "viber", "console"}
    assert "Telegram" not in "".join(hints.values())


def test_an_accounts_edit_page_names_its_provider(org, owner, staff_client):
    account = make_transport_account(org, "sms", "turbosms", {"token": "t", "sender": "Salon"})
    _in(owner, "en")
    page = _page(staff_client, "messaging:account_edit", account.pk)
    field = unescape(page.split('id="id_max_per_second"')[1].split("</div>")[0])
    assert "10 a second" in field and "Telegram" not in field


# --- 3. a company is greeted neutrally --------------------------------------------------


@pytest.fixture
def company(org):
    return make_client(org, "ФОП Мельник А. В.", client_type="legal_entity", phone="+380671112233")


@pytest.mark.parametrize(
    ("language", "sms", "email"),
    [
        (
            "uk",
            "Вітаємо! Це тестове повідомлення. Відправник: Salon A.",
            "Вітаємо!\n\nЦе тестове повідомлення. Відправник: Salon A.",
        ),
        (
            "en",
            "Hello! This is a test message from Salon A.",
            "Hello!\n\nThis is a test message from Salon A.",
        ),
    ],
)
def test_a_company_is_greeted_without_its_name(org, actor, company, language, sms, email):
    org.language = language
    org.save(update_fields=["language"])
    make_console_accounts(org)
    company.email = "office@example.com"
    company.save(update_fields=["email"])
    texts = {}
    for channel in ("sms", "email"):
        message = message_send(
            organization=org,
            event=TEST_MESSAGE,
            variables={},
            actor=actor,
            client=company,
            channel=channel,
            idempotency_key=f"company-{channel}",
        )
        assert message is not None
        texts[channel] = message.text
    assert texts == {"sms": sms, "email": email}


def test_a_broadcast_greets_a_company_neutrally_and_a_person_by_name(org, company):
    text = "{client.first_name}, у п'ятницю знижка 20% на всі послуги!"
    body, _subject = broadcast_text(organization=org, text=text, client=company, channel="telegram")
    assert body.startswith("Вітаємо! У п'ятницю знижка 20%")
    assert "Мельник" not in body
    person = make_client(org, "Шевченко Олена")
    body, _subject = broadcast_text(organization=org, text=text, client=person, channel="telegram")
    assert body.startswith("Олено, у п'ятницю знижка 20%")  # the vocative: a Ukrainian org


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{client.first_name}, please prepay {amount}.", "Hello! Please prepay 5."),
        ("{first_name}, {amount} is received.", "Hello! 5 is received."),
        ("Hello {client.first_name}!\n\nSee you.", "Hello!\n\nSee you."),
        ("Вітаємо, {{ client.first_name }}! До зустрічі.", "Вітаємо! До зустрічі."),
        ("Дякуємо, {first_name}, що прийшли.", "Дякуємо, що прийшли."),
        ("Paid. {client.first_name}, see you!", "Paid. Hello! See you!"),
        ("Bill for {client.name}", "Bill for ТОВ «Зелений сад»"),
    ],
)
def test_the_greeting_without_a_name_reads_naturally(template, expected):
    company = {"client_type": "legal_entity", "first_name": "", "name": "ТОВ «Зелений сад»"}
    with translation.override("en"):
        assert render_template(template, {"client": company, "amount": 5}) == expected


def test_a_company_with_a_contact_name_and_a_senders_own_name_are_kept():
    contact = {"client_type": "legal_entity", "first_name": "Андрій", "name": "ТОВ «Сад»"}
    assert render_template("{client.first_name}, hi", {"client": contact}) == "Андрій, hi"
    company = {"client_type": "legal_entity", "first_name": "", "name": "ТОВ «Сад»"}
    flat = {"client": company, "client.first_name": "Олена"}
    assert render_template("{client.first_name}, hi", flat) == "Олена, hi"
    # A template that may not use the name keeps its placeholder as written.
    allowed = ["amount"]
    assert render_template("{client.first_name}, hi", {"client": company}, allowed=allowed) == (
        "{client.first_name}, hi"
    )


# --- 5. the template editor shows what clients get ------------------------------------


def test_an_english_page_edits_the_ukrainian_text_clients_get(org, owner, staff_client):
    _in(owner, "en")
    page = _page(staff_client, "messaging:template_edit", TEST_MESSAGE, "sms")
    textarea = page.split('data-testid="template-text"')[1].split("</textarea>")[0]
    assert "це тестове повідомлення" in textarea
    assert "this is a test message" not in textarea
    assert "Clients get this message in Ukrainian, the organization" in page
    aside = page.split('data-testid="default-in-page-language"')[1].split("</details>")[0]
    assert "The default text in English, to read (clients do not get it)" in aside
    assert "this is a test message from {organization.name}" in aside
    # Saved untouched, the text is the organization's default, as the page showed it.
    staff_client.post(
        reverse("messaging:template_edit", args=[TEST_MESSAGE, "sms"]),
        {"text": "{client.first_name}, це тестове повідомлення.", "action": "save"},
    )
    assert MessageTemplate.objects.get(event=TEST_MESSAGE, channel="sms").text == (
        "{client.first_name}, це тестове повідомлення."
    )


def test_an_english_organizations_editor_on_a_ukrainian_page(org, owner, staff_client):
    org.language = "en"
    org.save(update_fields=["language"])
    _in(owner, "uk")
    page = _page(staff_client, "messaging:template_edit", TEST_MESSAGE, "sms")
    textarea = page.split('data-testid="template-text"')[1].split("</textarea>")[0]
    assert "this is a test message" in textarea
    assert "Клієнти отримують це повідомлення англійською" in page
    aside = page.split('data-testid="default-in-page-language"')[1].split("</details>")[0]
    assert "Типовий текст українською" in aside and "це тестове повідомлення" in aside


def test_a_custom_text_has_no_default_beside_it(org, owner, staff_client):
    MessageTemplate.objects.create(
        organization=org, event=TEST_MESSAGE, channel="sms", text="Власний текст"
    )
    _in(owner, "en")
    page = _page(staff_client, "messaging:template_edit", TEST_MESSAGE, "sms")
    assert "Clients get this message in Ukrainian" in page
    assert 'data-testid="default-in-page-language"' not in page


# --- 6. the test mode's badge stays on one line -----------------------------------------


def test_the_test_mode_status_badge_does_not_wrap(org, owner, staff_client):
    make_console_accounts(org)
    message_send_custom(
        client=make_client(org, "Шевченко Олена", phone="+380501234567"),
        text="Hi",
        actor=SYSTEM,
        idempotency_key="badge",
    )
    outbox.deliver_due(now=timezone.now())
    page = _page(staff_client, "messaging:outbox")
    (badge,) = re.findall(r'<span class="([^"]*)" data-testid="message-status"', page)
    assert "text-nowrap" in badge and "text-wrap" not in badge.split()
