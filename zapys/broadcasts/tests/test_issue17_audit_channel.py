"""Issue 17: a broadcast sent "Automatic: messenger, else SMS, else e-mail" (no channel
chosen, stored as "") read "Channel: —" in the audit log, as if the channel were unknown.
The log now says the form's words; a chosen channel reads by its name as before."""

from __future__ import annotations

import re
from html import unescape
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories_clients import make_client
from tests.pages import staff_page
from zapys.broadcasts import services
from zapys.core.audit import Actor

pytestmark = pytest.mark.django_db


def _create(org, channel: str) -> None:
    make_client(org, phone="+380501234567")
    with mock.patch.object(services, "_enqueue"):
        services.broadcast_create(
            organization=org,
            spec=services.AudienceSpec("all"),
            channel=channel,
            text="Знижка 20%",
            send_at=None,
            actor=Actor.system("tests"),
        )


def _channels(html: str) -> list[str]:
    return re.findall(r'<span class="text-muted">(?:Канал|Channel):</span> ([^<]*)</div>', html)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", "Автоматично: месенджер, інакше SMS, інакше e-mail"),
        ("en", "Automatic: messenger, else SMS, else e-mail"),
    ],
)
def test_an_automatic_channel_reads_as_the_form_says(
    org, consoles, owner, staff_client, language, words
):
    _create(org, "")
    html = unescape(staff_page(staff_client, owner, language, "core:audit"))
    # (the console accounts' own rows name their channels too)
    assert words in _channels(html) and "—" not in _channels(html)


def test_a_chosen_channel_reads_by_its_name(org, consoles, owner, staff_client):
    _create(org, "sms")
    html = unescape(staff_page(staff_client, owner, "uk", "core:audit"))
    assert "SMS" in _channels(html) and "—" not in _channels(html)
    assert "Автоматично" not in html


def test_the_words_cost_no_query(org, consoles, owner, staff_client):
    """Named from code: the page's queries are the same for "" and "sms"."""
    counts = []
    for channel in ("", "sms"):
        _create(org, channel)
        staff_page(staff_client, owner, "uk", "core:audit")  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            staff_page(staff_client, owner, "uk", "core:audit")
        counts.append(len(queries))
    assert counts[0] == counts[1]
