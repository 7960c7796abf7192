"""Issue 17: the staff notification "Broadcast sent: …" names the broadcast by its first
line with the variables as labels; the labels read in each reader's language (they were
stored in the organization's), the staff's own words as typed."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone, translation

from tests.factories_clients import make_client
from tests.pages import staff_page
from zapys.broadcasts import services
from zapys.broadcasts.models import readable_snippet, stored_snippet
from zapys.broadcasts.services import AudienceSpec, broadcast_create, broadcast_finish
from zapys.core.audit import Actor
from zapys.core.stored_text import StoredText
from zapys.messaging import outbox
from zapys.messaging.models import StaffNotification

TEXT = "{client.first_name}, у п'ятницю знижка 20% на всі послуги! Запис за посиланням у профілі"


def _sent_notice(org) -> StaffNotification:
    make_client(org)
    with mock.patch.object(services, "_enqueue"):
        broadcast = broadcast_create(
            organization=org,
            spec=AudienceSpec("all"),
            channel="",
            text=TEXT,
            send_at=None,
            actor=Actor.system("tests"),
        )
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    outbox.deliver_due(now=timezone.now())
    assert broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
    return StaffNotification.objects.get(related_id=str(broadcast.pk))


@pytest.mark.django_db
def test_a_ukrainian_organizations_notice_reads_in_english(org, consoles, owner, staff_client):
    assert org.language == "uk"
    notice = _sent_notice(org)
    # (the console transports are the test mode: the title says so, not "sent")
    # Written in the organization's language; the label is a nested catalogue text.
    assert notice.title.startswith(
        "Розсилку завершено в тестовому режимі: [Ім'я клієнта], у п'ятницю"
    )
    name = notice.title_text["params"]["name"]["text"]
    assert name["params"] == {
        "client_first_name": {"text": {"msgid": "Client's first name", "params": {}}}
    }
    page = staff_page(staff_client, owner, "en", "messaging:notifications")
    assert (
        "Broadcast finished in test mode: [Client&#x27;s first name], у п&#x27;ятницю знижка 20% на всі"
        in page
    )
    assert "Ім&#x27;я клієнта" not in page
    page = staff_page(staff_client, owner, "uk", "messaging:notifications")
    assert "[Ім&#x27;я клієнта], у п&#x27;ятницю знижка 20% на всі" in page
    assert "Client&#x27;s first name" not in page


@pytest.mark.django_db
def test_an_english_organizations_notice_reads_in_ukrainian(org, consoles):
    org.language = "en"
    org.save(update_fields=["language"])
    notice = _sent_notice(org)
    assert notice.title.startswith(
        "Broadcast finished in test mode: [Client's first name], у п'ятницю"
    )
    with translation.override("uk"):
        assert notice.shown_title.startswith(
            "Розсилку завершено в тестовому режимі: [Ім'я клієнта], у п'ятницю"
        )
        assert "Client's first name" not in notice.shown_title


def test_the_stored_snippet_reads_as_the_snippet_in_the_writers_language():
    for language in ("uk", "en"):
        with translation.override(language):
            stored = stored_snippet(TEXT)
            assert isinstance(stored, StoredText)
            assert stored.render() == readable_snippet(TEXT)  # "20%" kept, cut on a word
    with translation.override("uk"):
        stored = stored_snippet("Для {client.name} від {organization.name}")
    with translation.override("en"):
        assert stored.render() == "Для [Client's full name] від [Organization name]"


def test_without_a_variable_the_snippet_is_plain_text():
    assert stored_snippet("Знижка 20% до неділі") == "Знижка 20% до неділі"
    # A variable past the cut is not in the snippet either.
    long_text = "Дуже довгий початок тексту, який триває і триває ще далі й далі {client.name}"
    with translation.override("en"):
        assert stored_snippet(long_text) == readable_snippet(long_text)
        assert "[" not in readable_snippet(long_text)


def test_a_label_the_cut_goes_through_is_left_out():
    text = "Шановні клієнти нашої студії краси та здоров'я, {client.name}, 20%!"
    with translation.override("en"):
        assert readable_snippet(text).endswith("здоров'я, [Client's…")  # cut inside it
        stored = stored_snippet(text)
    # Not half a label in the writer's language: the words before it, then "…".
    assert stored == "Шановні клієнти нашої студії краси та здоров'я…"
