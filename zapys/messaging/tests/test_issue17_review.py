"""Issue 17 review of messaging: greetings by the first name, dates in words in the
message's language, defaults shown in the page's language, an honest SMS counter, and the
channel order as one form with one Save."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from tests.factories_messaging import make_client, make_console_accounts
from zapys.broadcasts.events import BROADCAST
from zapys.core.models import AuditLog
from zapys.messaging.events import CHANNELS, TEST_MESSAGE, all_events, register_event
from zapys.messaging.models import EventSetting, MessageTemplate
from zapys.messaging.rendering import day_in_words, render_template
from zapys.messaging.services import event_setting_save, message_send

pytestmark = pytest.mark.django_db

register_event(
    "tests.visit_on",
    label="Visit",
    variables=[("client.first_name", "First name"), ("date", "Date"), ("time", "Time")],
    defaults={"sms": "{client.first_name}, {date} at {time}"},
)


def _in(owner, language):
    owner.language = language
    owner.save(update_fields=["language"])


def _page(staff_client, name, *args):
    response = staff_client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


# --- 1. greetings by the first name -------------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "en"])
def test_no_default_greets_by_the_full_name(language):
    """Every client event's default of messaging's own events uses the first name; the full
    name may appear only where a text says whose it is, not as the greeting."""
    for event in all_events(audience="client"):
        if not event.code.startswith(("messaging.", "broadcasts.")):
            continue  # other apps' defaults are theirs (reported, not changed here)
        for channel in CHANNELS:
            with translation.override(language):
                text = str(event.default_text(channel))
            assert "{client.name}" not in text, (event.code, channel, text)


def test_the_test_message_e_mail_greets_by_the_first_name(org, actor):
    """By the first name alone, in the vocative: the organization writes in Ukrainian."""
    make_console_accounts(org)
    client = make_client(org, "Марченко Оксана", email="o@example.com")
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=client,
        channel="email",
        idempotency_key="greet",
    )
    assert message is not None
    assert message.text.startswith("Вітаємо, Оксано!")
    assert "Марченко" not in message.text


# --- 2. dates in words ----------------------------------------------------------------------


def test_a_date_reads_as_words_in_the_active_language():
    today = date(2026, 12, 4)
    with translation.override("uk"):
        assert day_in_words(date(2026, 12, 5), today=today) == "5 грудня"
        assert day_in_words(date(2027, 1, 2), today=today) == "2 січня 2027"
    with translation.override("en"):
        assert day_in_words(date(2026, 12, 5), today=today) == "5 December"
        assert day_in_words(date(2027, 1, 2), today=today) == "2 January 2027"


def test_a_date_value_in_a_template_has_no_leading_zero_and_no_digits_for_the_month():
    day = timezone.localdate() + timedelta(days=1)
    moment = datetime(day.year, day.month, day.day, 9, 5)
    with translation.override("uk"):
        text = render_template("{d} / {m}", {"d": day, "m": moment})
        words = day_in_words(day)
    assert text == f"{words} / {words} о 09:05"
    assert f"{day:%d.%m}" not in text and f"0{day.day} " not in text
    with translation.override("en"):
        assert render_template("{m}", {"m": moment}).endswith(" at 09:05")


@pytest.mark.parametrize(("language", "words"), [("uk", "о 14:30"), ("en", "at 14:30")])
def test_a_message_writes_the_date_in_the_organizations_language(org, actor, language, words):
    org.language = language
    org.save(update_fields=["language"])
    make_console_accounts(org)
    day = timezone.localdate() + timedelta(days=1)
    with translation.override("en" if language == "uk" else "uk"):  # the sender's page
        message = message_send(
            organization=org,
            event="tests.visit_on",
            variables={"date": day, "time": "14:30"},
            actor=actor,
            client=make_client(org),
            idempotency_key="date",
        )
    assert message is not None
    with translation.override(language):
        expected = day_in_words(day)
    # the greeting in the message's language too: the vocative in Ukrainian only
    greeting = "Олено" if language == "uk" else "Олена"
    assert message.text == f"{greeting}, {expected} at 14:30"
    assert f"{day:%d.%m.%Y}" not in message.text
    assert words.split()[1] in message.text


# --- 4. the editor shows what clients get ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "reference"), [("en", "Test message from {organization.name}"), ("uk", None)]
)
def test_the_default_subject_is_the_one_clients_get(org, owner, staff_client, language, reference):
    """The editor's default is in the organization's language (what clients get), on an
    English page too; the page's own language is only beside it, labelled, to read. (A
    broadcast's default subject, «{organization.name}: {text_start}», has no words to
    translate: the test message's has.)"""
    _in(owner, language)
    page = _page(staff_client, "messaging:template_edit", TEST_MESSAGE, "email")
    assert 'value="Тестове повідомлення. Відправник: {organization.name}"' in page
    if reference:
        assert "Clients get this message in Ukrainian" in page
        aside = page.split('data-testid="default-in-page-language"')[1].split("</details>")[0]
        assert reference in aside and "clients do not get it" in aside
        assert f'value="{reference}"' not in page
    else:
        assert "Клієнти отримують це повідомлення українською" in page
        assert 'data-testid="default-in-page-language"' not in page


def test_saving_an_untouched_default_from_an_english_page_keeps_the_organizations_language(
    org, owner, staff_client
):
    _in(owner, "en")
    url = reverse("messaging:template_edit", args=[BROADCAST, "email"])
    staff_client.post(url, {"subject": "Розсилка", "text": "{text}", "action": "save"})
    saved = MessageTemplate.objects.get(event=BROADCAST, channel="email")
    assert (saved.subject, saved.text, saved.is_enabled) == ("Розсилка", "{text}", False)
    # Staff's own words are stored as written.
    staff_client.post(
        url, {"subject": "News", "text": "{text}", "is_enabled": "on", "action": "save"}
    )
    saved.refresh_from_db()
    assert (saved.subject, saved.is_enabled) == ("News", True)


# --- 5. an honest SMS counter --------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "The length depends on the text each message carries"),
        ("uk", "Довжина залежить від тексту кожного повідомлення"),
    ],
)
def test_a_template_of_only_variables_has_no_length_of_its_own(
    org, owner, staff_client, language, words
):
    _in(owner, language)
    page = _page(staff_client, "messaging:template_edit", BROADCAST, "sms")
    info = page.split('data-testid="sms-info"')[1].split('id="id_is_enabled"')[0]
    assert words in info
    assert "160" not in info and "Latin letters only" not in info and "Лише латиниця" not in info


def test_a_latin_template_with_a_name_warns_that_the_name_may_be_cyrillic(org, staff_client):
    html = staff_client.post(
        reverse("messaging:sms_info"), {"text": "Hi {client.first_name}, see you"}
    ).content.decode()
    assert 'data-encoding="GSM-7"' in html and 'data-parts="1"' in html
    assert "Поки що лише латиниця" in html and "без даних клієнта" in html
    assert "кириличним усе SMS: тоді в одному SMS 70" in html
    # Counted without the placeholder: "Hi , see you" is 12 characters.
    assert "12 символів" in html
    plain = staff_client.post(reverse("messaging:sms_info"), {"text": "Hello"}).content.decode()
    assert "Лише латиниця: 160" in plain and "без даних клієнта" not in plain
    # counted in SMS, as the operator bills them, not in "parts"
    assert "5 символів · 1 SMS (до 160 символів у кожному)" in plain
    assert "частин" not in plain and "змінн" not in html


# --- 6. the channel order: one form, one Save ----------------------------------------------


def _all_rows(staff_client) -> dict[str, str]:
    """The section's form as the browser sends it, unchanged."""
    page = _page(staff_client, "messaging:settings")
    form = page.split('data-testid="channel-order-form"')[1].split("</form>")[0]
    assert form.count('data-testid="save-channel-order"') == 1
    data: dict[str, str] = {}
    for select in form.split("<select")[1:]:
        name = select.split('name="')[1].split('"')[0]
        chosen = select.split("selected")[0].rsplit('value="', 1)[1].split('"')[0]
        data[name] = chosen if "selected" in select else ""
    for hidden in form.split('type="hidden"')[1:]:
        name = hidden.split('name="')[1].split('"')[0]
        data[name] = hidden.split('value="')[1].split('"')[0] if 'value="' in hidden else ""
    for box in form.split('type="checkbox"')[1:]:
        name = box.split('name="')[1].split('"')[0]
        if "checked" in box.split(">")[0]:
            data[name] = "on"
    return data


def test_the_section_is_one_form_with_one_save_and_names_the_default_order(
    org, owner, staff_client
):
    for language, words in (("en", "Default order"), ("uk", "Типовий порядок")):
        _in(owner, language)
        page = _page(staff_client, "messaging:settings")
        section = page.split('id="channel-order"')[1].split('<form method="post" class="card"')[0]
        assert section.count("<form") == 1
        assert section.count('data-testid="follows-default"') == len(all_events(audience="client"))
        assert words in section


def test_saving_the_section_changes_only_what_changed(org, owner, actor, staff_client):
    make_console_accounts(org)
    event_setting_save(organization=org, event=TEST_MESSAGE, channels=["email"], actor=actor)
    before = AuditLog.objects.filter(action="message_event.update").count()
    data = _all_rows(staff_client)
    assert data[f"order-{TEST_MESSAGE}-first"] == "email"
    # Nothing changed: nothing is written.
    staff_client.post(reverse("messaging:channel_order"), data)
    assert AuditLog.objects.filter(action="message_event.update").count() == before
    assert set(EventSetting.objects.values_list("event", flat=True)) == {TEST_MESSAGE}
    # One row changed: only that row is written.
    data[f"order-{BROADCAST}-first"] = "sms"
    response = staff_client.post(reverse("messaging:channel_order"), data)
    assert response.status_code == 302
    assert set(EventSetting.objects.values_list("event", flat=True)) == {TEST_MESSAGE, BROADCAST}
    assert EventSetting.objects.get(event=BROADCAST).channel_list == ["sms"]
    assert EventSetting.objects.get(event=TEST_MESSAGE).channel_list == ["email"]
    assert AuditLog.objects.filter(action="message_event.update").count() == before + 1


def test_a_bad_row_shows_its_error_and_saves_nothing(org, owner, staff_client):
    make_console_accounts(org)
    data = _all_rows(staff_client)
    data[f"order-{BROADCAST}-first"] = "sms"
    data[f"order-{TEST_MESSAGE}-second"] = "pigeon"
    response = staff_client.post(reverse("messaging:channel_order"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="order-error"' in page
    assert escape("pigeon") in page  # the error names the bad choice; the input is kept
    assert not EventSetting.objects.exists()
    # The row that was fine keeps what was typed.
    row = page.split(f'data-testid="order-{BROADCAST}"')[1].split('data-testid="order-')[0]
    assert '<option value="sms" selected>' in row
