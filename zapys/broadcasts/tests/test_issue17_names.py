"""Issue 17: a broadcast is named by its text's first words (the variables it opens with left
out) and its time, never by its raw template text nor by a number («Розсилка №1 · 04.12.2026
19:30», fifth tour); where its text is shown short, the variables read as labels and the cut
is on a word."""

from __future__ import annotations

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories_clients import make_client
from zapys.broadcasts import services
from zapys.broadcasts.models import (
    Broadcast,
    BroadcastSettings,
    broadcast_title,
    readable_snippet,
)
from zapys.broadcasts.services import AudienceSpec, broadcast_create, broadcast_finish
from zapys.core.audit import Actor
from zapys.messaging import outbox
from zapys.messaging.events import get_event
from zapys.messaging.models import StaffNotification

pytestmark = pytest.mark.django_db

TEXT = "{client.first_name}, у п'ятницю знижка 20% на всі послуги! Запис за посиланням у профілі"


def _broadcast(org):
    make_client(org)
    with mock.patch.object(services, "_enqueue"):
        return broadcast_create(
            organization=org,
            spec=AudienceSpec("all"),
            channel="",
            text=TEXT,
            send_at=None,
            actor=Actor.system("tests"),
        )


def test_the_snippet_reads_the_variables_and_cuts_on_a_word():
    with translation.override("en"):
        shown = readable_snippet(TEXT)
        assert shown == "[Client's first name], у п'ятницю знижка 20% на всі…"
    with translation.override("uk"):
        assert readable_snippet(TEXT).startswith("[Ім'я клієнта], у п'ятницю")
    assert readable_snippet("Short {organization.name}") == "Short [Organization name]"
    assert len(shown) <= 60 and "{" not in shown


def test_heading_and_list_name_the_broadcast(org, consoles, staff_client):
    broadcast = _broadcast(org)
    title = "У п&#x27;ятницю знижка 20% на всі послуги! Запис за…"
    staff_client.cookies["django_language"] = "en"
    page = staff_client.get(reverse("broadcasts:detail", args=[broadcast.pk])).content.decode()
    assert f'data-testid="broadcast-title">{title}</h1>' in page
    assert f"<title>{title} · " in page
    assert "Broadcast #" not in page
    listing = staff_client.get(reverse("broadcasts:list")).content.decode()
    assert "[Client&#x27;s first name], у п&#x27;ятницю знижка 20% на всі…" in listing
    assert "{client.first_name}" not in listing
    staff_client.cookies["django_language"] = "uk"
    page = staff_client.get(reverse("broadcasts:detail", args=[broadcast.pk])).content.decode()
    assert f'data-testid="broadcast-title">{title}</h1>' in page
    assert "Розсилка №" not in page
    # the product's date format, not 05.12.2026 03:42
    local = timezone.localtime(broadcast.send_at)
    assert f"<dd>{local.day} грудня {local.year}, {local:%H:%M}</dd>" in page or local.month != 12


def test_a_broadcast_is_titled_by_its_first_words():
    assert broadcast_title(TEXT) == "У п'ятницю знижка 20% на всі послуги! Запис за…"
    assert broadcast_title("{client.first_name} {client.last_name}! знижка") == "Знижка"
    with translation.override("uk"):
        assert broadcast_title("Привіт, {client.first_name}!") == "Привіт, [Ім'я клієнта]!"
    with translation.override("en"):
        assert broadcast_title("{client.first_name}") == "[Client's first name]"


def test_the_page_shows_the_whole_text_with_the_variables_as_labels(org, consoles, staff_client):
    broadcast = _broadcast(org)
    url = reverse("broadcasts:detail", args=[broadcast.pk])
    for language, label in (("en", "[Client&#x27;s first name]"), ("uk", "[Ім&#x27;я клієнта]")):
        staff_client.cookies["django_language"] = language
        page = staff_client.get(url).content.decode()
        # As the list shows it; the whole text, not cut.
        assert f'data-testid="broadcast-text">{label}, у п&#x27;ятницю' in page
        assert "за посиланням у профілі</dd>" in page
        assert "{client.first_name}" not in page


def test_the_name_of_a_broadcast_and_its_settings():
    broadcast = Broadcast(pk=7, send_at=datetime(2026, 12, 4, 10, 30, tzinfo=ZoneInfo("UTC")))
    broadcast.text = TEXT
    with translation.override("en"), timezone.override("UTC"):
        assert str(broadcast).startswith(
            "“У п'ятницю знижка 20% на всі послуги! Запис за…”, 4 December "
        )
        assert str(broadcast).endswith(" at 10:30")
    with translation.override("uk"), timezone.override("UTC"):
        assert str(broadcast).startswith(
            "«У п'ятницю знижка 20% на всі послуги! Запис за…», 4 грудня"
        )
        assert str(BroadcastSettings()) == "Налаштування розсилок"
    with translation.override("en"):
        assert str(BroadcastSettings()) == "Broadcast settings"


def test_the_broadcast_template_lists_its_own_text_variable():
    names = dict(get_event("broadcasts.broadcast").variables)
    assert "text" in names
    with translation.override("uk"):
        assert str(names["text"]) == "Текст розсилки"


def test_the_staff_notification_names_the_broadcast_readably(org, consoles):
    broadcast = _broadcast(org)
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    outbox.deliver_due(now=timezone.now())
    assert broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
    note = StaffNotification.objects.get(related_id=str(broadcast.pk))
    with translation.override("en"):
        # the console transports are the test mode: the notification does not say "sent"
        # (test_issue17_test_mode.py has a real transport's)
        assert note.shown_title == (
            "Broadcast “У п'ятницю знижка 20% на всі послуги! Запис за…”: test mode, "
            "nothing was sent"
        )
        assert "{client.first_name}" not in note.shown_title and "[" not in note.shown_title
        assert note.shown_body.startswith(
            "Sent 0, test mode (not sent to anyone) 1, not delivered 0, not reachable 0.\n"
            "The message to "
        )
