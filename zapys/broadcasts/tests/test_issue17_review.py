"""Issue 17 review: the new-broadcast form offers its variables by name (buttons that insert
them), never as "{client.first_name}" in its help; a broadcast the test mode took whole
shows a grey bar that says nothing was sent, not a blue "Done 100%"."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories_clients import make_client
from zapys.broadcasts import services
from zapys.broadcasts.models import Broadcast
from zapys.broadcasts.selectors import broadcast_progress
from zapys.core.audit import Actor
from zapys.messaging import outbox
from zapys.messaging.models import Message

pytestmark = pytest.mark.django_db


def _in(owner, language):
    owner.language = language
    owner.save(update_fields=["language"])


def _page(staff_client, name, *args):
    response = staff_client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "first", "full"),
    [("en", "Client's first name", "Client's full name"), ("uk", "Ім'я клієнта", "Повне ім'я")],
)
def test_the_form_offers_the_variables_by_name(org, owner, staff_client, language, first, full):
    _in(owner, language)
    page = _page(staff_client, "broadcasts:new")
    chips = page.split('data-testid="variables"')[1].split("</div>")[0]
    assert escape(first) in chips and escape(full) in chips
    assert 'data-variable="client.first_name"' in chips and 'data-variable-fields="id_text"' in page
    # No placeholder is shown as text anywhere on the page (only in the buttons' attributes).
    shown = re.sub(r"<[^>]+>", " ", page.split("<main")[-1])
    assert "{client" not in shown and "{organization" not in shown
    assert "You can use" not in page and "Можна вставити" not in page


def _sent(org, n: int = 3, *, real: bool = False) -> Broadcast:
    for i in range(n):
        make_client(org, f"Шевченко Олена{i}", phone=f"+38050123450{i}")
    with mock.patch.object(services, "_enqueue"):
        broadcast = services.broadcast_create(
            organization=org,
            spec=services.AudienceSpec("all"),
            channel="sms",
            text="Hi {client.first_name}!",
            send_at=None,
            actor=Actor.system("tests"),
        )
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    outbox.deliver_due(now=timezone.now())
    if real:
        Message.objects.filter(related_id=str(broadcast.pk)).update(transport_code="turbosms")
    assert services.broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
    broadcast.refresh_from_db()
    return broadcast


def _bar(page: str) -> str:
    return page.split('id="broadcast-progress"')[1].split('data-testid="progress-bar"')[0]


@pytest.mark.parametrize(
    ("language", "nothing", "done"),
    [
        ("en", "Test mode: nothing was sent", "Done"),
        ("uk", "Тестовий режим, нічого не надіслано", "Завершено"),
    ],
)
def test_a_test_mode_broadcast_shows_a_grey_bar_that_says_nothing_was_sent(
    org, owner, staff_client, consoles, language, nothing, done
):
    broadcast = _sent(org)
    assert broadcast_progress(broadcast).only_test_mode
    _in(owner, language)
    page = _page(staff_client, "broadcasts:detail", broadcast.pk)
    bar = _bar(page)
    assert nothing in bar and "bg-secondary" in bar
    assert f">{done}<" not in bar and "100%</span>" not in bar


def test_a_real_broadcast_keeps_its_blue_done_bar(org, owner, staff_client, consoles):
    broadcast = _sent(org, real=True)
    assert not broadcast_progress(broadcast).only_test_mode
    _in(owner, "en")
    bar = _bar(_page(staff_client, "broadcasts:detail", broadcast.pk))
    assert ">Done<" in bar and "100%</span>" in bar
    assert "bg-secondary" not in bar and "nothing was sent" not in bar
