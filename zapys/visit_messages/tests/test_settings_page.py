"""The settings page and API of visit messages, the template list, the SMS lengths."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from zapys.messaging.events import get_event
from zapys.messaging.rendering import render_template
from zapys.visit_messages import events
from zapys.visit_messages.models import VisitMessageSettings
from zapys.visit_messages.services import When, WhenExactly, settings_get

pytestmark = pytest.mark.django_db


def _language(staff_client, language: str) -> None:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "uk",
            [
                "Нагадування про візити",
                "Підтверджувати запис, зроблений онлайн",
                "за 24 години",
                "Без другого нагадування",
                "Підтвердження запису",
                "Повідомляти клієнта, коли його запис перенесено",
                "Повідомлення про перенесення запису",
            ],
        ),
        (
            "en",
            [
                "Visit reminders",
                "Confirm a visit booked online",
                "24 hours before",
                "No second reminder",
                "Booking confirmation",
                "Tell the client when their visit moves",
                "Visit moved message",
            ],
        ),
    ],
)
def test_the_page_speaks_the_staff_language(
    staff_client, language, words, django_assert_max_num_queries
):
    _language(staff_client, language)
    with django_assert_max_num_queries(12):
        html = staff_client.get(reverse("visit_messages:settings")).content.decode()
    for word in words:
        assert word in html


def test_saving_changes_the_settings_and_writes_the_audit(staff_client, org):
    response = staff_client.post(
        reverse("visit_messages:settings"),
        {
            "confirm_online": "on",
            "confirm_staff": "on",
            "notify_moved": "on",
            "remind": "on",
            "reminder_hours": "48",
            "second_reminder_hours": "2",
            "quiet_from": "22:00",
            "quiet_to": "09:00",
        },
    )
    assert response.status_code == 302
    found = settings_get(org)
    assert (found.confirm_staff, found.reminder_hours, found.second_reminder_hours) == (True, 48, 2)
    assert found.notify_moved
    assert found.quiet_to.strftime("%H:%M") == "09:00"
    from zapys.core.models import AuditLog

    assert AuditLog.objects.filter(action="visit_messages.settings").count() == 1


def test_a_second_reminder_not_closer_than_the_first_is_refused(staff_client, org):
    _language(staff_client, "uk")
    response = staff_client.post(
        reverse("visit_messages:settings"),
        {
            "remind": "on",
            "reminder_hours": "2",
            "second_reminder_hours": "6",
            "quiet_from": "21:00",
            "quiet_to": "08:00",
        },
    )
    assert response.status_code == 400
    assert "Друге нагадування йде ближче до візиту" in response.content.decode()
    assert not VisitMessageSettings.objects.exists()


def test_the_api_reads_and_changes_the_settings(api, org):
    body = api.get("/api/v1/visit-messages/settings").body
    assert body == {
        "confirm_online": True,
        "confirm_staff": False,
        "notify_moved": False,
        "remind": True,
        "reminder_hours": 24,
        "second_reminder_hours": 0,
        "quiet_from": "21:00",
        "quiet_to": "08:00",
    }
    changed = api.request(
        "patch",
        "/api/v1/visit-messages/settings",
        {"second_reminder_hours": 2, "quiet_to": "07:30", "notify_moved": True},
    )
    assert changed.status == 200
    assert (changed.body["second_reminder_hours"], changed.body["quiet_to"]) == (2, "07:30")
    assert changed.body["notify_moved"] is True
    refused = api.request("patch", "/api/v1/visit-messages/settings", {"second_reminder_hours": 48})
    assert refused.status == 400  # a DomainError on its field, as every settings API
    assert refused.body["errors"][0]["field"] == "second_reminder_hours"
    assert settings_get(org).second_reminder_hours == 2


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_template_list_offers_both_messages(staff_client, language):
    _language(staff_client, language)
    html = staff_client.get(reverse("messaging:templates")).content.decode()
    with translation.override(language):
        for code in (events.CONFIRMATION, events.REMINDER, events.MOVED):
            assert str(get_event(code).label) in html


class _Client:
    first_name = "Оксана"
    greeting_name = "Оксана"
    greeting_vocative = "Оксано"
    client_type = "person"


@pytest.mark.parametrize("code", [events.CONFIRMATION, events.REMINDER, events.MOVED])
def test_the_sms_texts_fit_two_cyrillic_sms(code):
    start = datetime(2026, 12, 8, 15, 0)
    values = {
        "client": _Client(),
        "service": "Стрижка жіноча",
        "specialist": "Марія Шевченко",
        "when": When(start, start.date().replace(day=7)),
        "was": WhenExactly(start.replace(day=7, hour=12), start.date().replace(day=7)),
        "date": start.date(),
        "time": "15:00",
        "branch": "Центр",
        "address": "вул. Хрещатик, 22, оф. 3",
        "phone": "+380 44 123 45 67",
        "organization": {"name": "Студія Лілія"},
    }
    event = get_event(code)
    with translation.override("uk"):
        text = render_template(str(event.default_text("sms")), values, allowed=event.variable_names)
    assert "{" not in text
    assert "завтра о 15:00" in text
    assert len(text) <= 134, (len(text), text)
