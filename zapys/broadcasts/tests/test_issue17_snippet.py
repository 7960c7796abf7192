"""Issue 17: the staff notification of a finished broadcast, and the audit log that names the
notification by its title, say what was sent — never the template. They read "Broadcast
finished in test mode: [Client's first name], on Friday…", which looked as if clients got
the brackets. Now the title is a sentence naming the broadcast by its first words, the
variables it opens with left out ("Broadcast “On Friday…”: test mode, nothing was sent") and
the body quotes one client's message as the outbox holds
it, labelled with whose it is. Both read in each reader's language; the quote is data."""

from __future__ import annotations

from html import unescape
from unittest import mock

import pytest
from django.utils import timezone, translation

from tests.factories_clients import make_client
from tests.pages import staff_page
from zapys.broadcasts import services
from zapys.broadcasts.models import first_line, readable_snippet
from zapys.broadcasts.services import AudienceSpec, broadcast_create, broadcast_finish
from zapys.core.audit import Actor
from zapys.messaging import outbox
from zapys.messaging.models import Message, StaffNotification

TEXT = "{client.first_name}, у п'ятницю знижка 20% на всі послуги! Запис за посиланням у профілі"
TITLE = "У п'ятницю знижка 20% на всі послуги! Запис за…"
SENT = "Маріє, у п'ятницю знижка 20% на всі послуги! Запис за посиланням у профілі"


def _finished(org, text: str = TEXT, *, reachable: bool = True) -> StaffNotification:
    make_client(org, "Поліщук Марія", phone="+380501234567" if reachable else "")
    with mock.patch.object(services, "_enqueue"):
        broadcast = broadcast_create(
            organization=org,
            spec=AudienceSpec("all"),
            channel="",
            text=text,
            send_at=None,
            actor=Actor.system("tests"),
        )
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    outbox.deliver_due(now=timezone.now())
    assert broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
    return StaffNotification.objects.get(related_id=str(broadcast.pk))


@pytest.mark.django_db
def test_the_notification_quotes_what_the_client_got(org, consoles, owner, staff_client):
    note = _finished(org)
    number = note.related_id
    page = unescape(staff_page(staff_client, owner, "uk", "messaging:notifications"))
    assert f"Розсилка «{TITLE}»: тестовий режим, нічого не надіслано" in page
    assert f"Повідомлення клієнтові (Поліщук Марія): «{SENT}»" in page
    assert "[Ім'я клієнта]" not in page and "{client" not in page
    page = unescape(staff_page(staff_client, owner, "en", "messaging:notifications"))
    assert f"Broadcast “{TITLE}”: test mode, nothing was sent" in page
    assert f"The message to Поліщук Марія: “{SENT}”" in page
    assert "[Client's first name]" not in page
    # the very text the outbox holds (its unsubscribe line left out of the quote)
    (message,) = Message.objects.filter(related_id=number)
    assert message.text.startswith(SENT + "\n")


@pytest.mark.django_db
def test_the_audit_log_names_the_notification_without_the_template(
    org, consoles, owner, staff_client
):
    _finished(org)
    for language, words, label in (
        ("uk", f"Розсилка «{TITLE}»", "[Ім'я клієнта]"),
        ("en", f"Broadcast “{TITLE}”", "[Client's first name]"),
    ):
        page = unescape(staff_page(staff_client, owner, language, "core:audit"))
        assert words in page
        assert label not in page and "{client.first_name}" not in page and "у п'ятницю" not in page


@pytest.mark.django_db
def test_a_long_message_is_quoted_by_its_first_line_cut_on_a_word(org, consoles):
    long_text = "{client.first_name}, " + "дуже довге речення про знижки " * 6 + "\nДругий рядок"
    note = _finished(org, long_text)
    with translation.override("uk"):
        quote = note.shown_body.split("«", 1)[1].rstrip("»")
    assert quote.startswith("Маріє, дуже довге речення") and quote.endswith("…")
    assert len(quote) <= services.SAMPLE_LENGTH and "Другий рядок" not in quote


@pytest.mark.django_db
def test_nobody_reachable_no_quote(org, consoles):
    """A broadcast that wrote no message has nothing to quote: the figures alone."""
    make_client(org, "Поліщук Марія", phone="+380501234567")
    note = _finished(org)
    Message.objects.all().delete()
    broadcast = services.Broadcast.objects.get(pk=note.related_id)
    with translation.override("en"):
        assert services._finish_body(services.broadcast_progress(broadcast), None).render() == (
            "Sent 0, not delivered 0, not reachable 0."
        )


def test_the_first_line_is_cut_after_a_whole_word():
    assert first_line("Знижка 20% до неділі\nДругий рядок", 60) == "Знижка 20% до неділі"
    assert first_line("Дуже довгий початок тексту, який триває", 25) == "Дуже довгий початок…"
    assert first_line("", 10) == ""


def test_the_list_snippet_still_names_the_variables():
    with translation.override("en"):
        assert readable_snippet(TEXT).startswith("[Client's first name], у п'ятницю")
