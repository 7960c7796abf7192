"""A broadcast e-mail's subject says who writes and what about («Студія краси «Зоряна»:
Знижка 20% на манікюр…»), not «Розсилка», the event's name; the template editor offers the
same default; the settings speak of one SMS and its price, not of "parts" an "estimate
multiplies"."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone

from tests.factories_clients import make_client
from zapys.broadcasts import services
from zapys.broadcasts.events import BROADCAST
from zapys.broadcasts.selectors import broadcast_text, subject_start
from zapys.core.audit import Actor
from zapys.messaging.models import Message
from zapys.messaging.selectors import template_resolve

pytestmark = pytest.mark.django_db

OFFER = "Знижка 20% на манікюр до неділі, запишіться за посиланням на сторінці студії!"


def test_the_subject_is_the_organization_and_the_first_words(org, consoles):
    org.name = "Студія краси «Зоряна»"
    org.save(update_fields=["name"])
    client = make_client(org, "Шевченко Олена", email="olena@example.com")
    text, subject = broadcast_text(organization=org, text=OFFER, client=client, channel="email")
    start = "Знижка 20% на манікюр до неділі, запишіться за посиланням на…"  # 60 at most
    assert subject == f"Студія краси «Зоряна»: {start}"
    assert "Розсилка" not in subject and "Broadcast" not in subject
    assert text.startswith(OFFER)


def test_a_short_text_is_quoted_whole_and_the_first_line_only(org):
    client = make_client(org, "Шевченко Олена", email="olena@example.com")
    _text, subject = broadcast_text(
        organization=org,
        text="{client.first_name}, чекаємо на вас у суботу\nДеталі нижче.",
        client=client,
        channel="email",
    )
    assert subject == f"{org.name}: Олено, чекаємо на вас у суботу"


def test_other_channels_have_no_subject(org):
    client = make_client(org, "Шевченко Олена")
    assert broadcast_text(organization=org, text=OFFER, client=client, channel="sms")[1] == ""


@pytest.mark.parametrize(
    ("body", "start"),
    [
        ("Коротко.", "Коротко."),
        ("\n\n  Перший рядок  \nДругий", "Перший рядок"),
        ("а" * 80, "а" * 60 + "…"),  # one long word: cut where the length ends
        ("", ""),
    ],
)
def test_subject_start(body, start):
    assert subject_start(body) == start


def test_the_queued_email_carries_the_subject(org, consoles):
    make_client(org, "Шевченко Олена", phone=None, email="olena@example.com")
    with mock.patch.object(services, "_enqueue"):
        broadcast = services.broadcast_create(
            organization=org,
            spec=services.AudienceSpec("all"),
            channel="email",
            text="Нові години роботи з понеділка",
            send_at=None,
            actor=Actor.system("tests"),
        )
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    message = Message.objects.get(related_id=str(broadcast.pk))
    assert message.subject == f"{org.name}: Нові години роботи з понеділка"


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_template_editor_shows_the_same_default_subject(org, language):
    resolved = template_resolve(
        organization=org, event=BROADCAST, channel="email", language=language
    )
    assert resolved.subject == "{organization.name}: {text_start}"


@pytest.mark.parametrize(
    ("language", "label", "words", "old"),
    [
        (
            "uk",
            "Ціна одного SMS, грн",
            "Скільки ваш SMS-сервіс бере за одне SMS",
            ("частин", "множить", "шлюз"),
        ),
        (
            "en",
            "Price of one SMS, UAH",
            "What your SMS service charges for one SMS",
            ("part", "multiplies", "gateway"),
        ),
    ],
)
def test_the_settings_speak_of_one_sms(in_language, staff_page, language, label, words, old):
    in_language(language)
    page = staff_page("broadcasts:settings")
    assert label in page and words in page
    form = page.split('data-testid="save"')[0].split("<form")[-1]
    for word in old:
        assert word not in form, word
