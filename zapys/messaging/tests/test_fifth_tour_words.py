"""The fifth tour's words on the messaging pages: a message is named by channel, client and
time, not «Повідомлення №90»; the audit log names it with the client and the phone as people
write it, not a bare «SMS → +380671300922»; the sending accounts' column and the message's
page say «Сервіс надсилання» / "Sending service" (sixth tour: not «Сервіс розсилки», broadcasts
are «Розсилки»), not «Провайдер»; the template list's standard texts
are muted links, not a column of «Типовий» buttons."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import timezone, translation

from tests.factories_messaging import make_client, make_console_accounts
from tests.pages import staff_page
from zapys.core.audit_reading import audit_rows_read
from zapys.core.dates import moment_in_words
from zapys.core.models import AuditLog
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message
from zapys.messaging.services import message_send

pytestmark = pytest.mark.django_db


def _message(org, actor, client=None) -> Message:
    make_console_accounts(org)
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=client,
        recipient=None if client else "+380671300922",
        channel=None if client else "sms",
        idempotency_key=f"k{client.pk if client else 0}",
    )
    assert message is not None  # a client with a channel, or a recipient: it is queued
    return message


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_message_page_is_named_by_channel_client_and_time(
    org, owner, staff_client, actor, language
):
    client = make_client(org, "Коваль Олена", phone="+380671300922")
    message = _message(org, actor, client)
    page = unescape(staff_page(staff_client, owner, language, "messaging:message", message.pk))
    with translation.override(language):
        when = moment_in_words(timezone.localtime(message.created_at))
    title = f"SMS: Коваль Олена, +380 67 130 09 22, {when}"
    assert f'data-testid="message-title">{title}</h1>' in page
    assert f"<title>{title} · " in page
    assert "№" not in page.split("<main", 1)[-1] and "Message #" not in page
    assert "Провайдер" not in page and "Provider" not in page
    assert ("Сервіс надсилання" if language == "uk" else "Sending service") in page
    assert "розсилки" not in page.split("<main", 1)[-1]
    assert not re.search(r"\d\d\.\d\d\.\d{4}", page)  # «5 грудня 2026, 10:15:03»


def test_the_audit_log_names_a_message_by_client_and_phone(org, actor):
    client = make_client(org, "Коваль Олена", phone="+380671300922")
    message = _message(org, actor, client)
    stranger = _message(org, actor)
    rows = AuditLog.objects.filter(object_type="messaging.message").order_by("pk")
    names = {r.row.object_id: r.object_text for r in audit_rows_read(rows)}
    assert names[str(message.pk)] == "SMS → Коваль Олена, +380 67 130 09 22"
    assert names[str(stranger.pk)] == "SMS → +380 67 130 09 22"


@pytest.mark.parametrize(
    ("language", "standard"), [("uk", "Типовий текст"), ("en", "Standard text")]
)
def test_standard_texts_are_muted_links_not_buttons(org, owner, staff_client, language, standard):
    page = staff_page(staff_client, owner, language, "messaging:templates")
    table = page.split('data-testid="templates"', 1)[1]
    assert "btn-outline-primary" not in table and "btn btn-sm" not in table
    cell = re.search(r'<a [^>]*data-state="default"[^>]*>\s*([^<]*)</a>', table)
    assert cell and cell.group(1).strip() == standard
    assert "link-secondary" in cell.group(0)
    assert ">Типовий<" not in table and "{#" not in page and "Plain links" not in page


def test_the_accounts_column_says_service(org, owner, staff_client):
    make_console_accounts(org)
    uk = staff_page(staff_client, owner, "uk", "messaging:settings")
    assert ">Сервіс надсилання</th>" in uk and "Провайдер" not in uk and "Сервіс розсилки" not in uk
    assert "замовчуванням" not in uk
    en = staff_page(staff_client, owner, "en", "messaging:settings")
    assert ">Sending service</th>" in en and ">Provider<" not in en
