"""Issue 17: a broadcast sent through the test mode (the demo's console transport) says so in
every total — its progress, the list, the staff notification, the audit log and the API —
and never counts those messages as sent, as each row's badge already says "Test mode: not
sent". A broadcast through a real transport reads as before."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories_clients import make_client
from zapys.broadcasts import services
from zapys.broadcasts.selectors import broadcast_progress
from zapys.core.audit import Actor
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog
from zapys.messaging.models import StaffNotification

pytestmark = pytest.mark.django_db


def test_the_progress_counts_the_test_mode_apart(org, sent_broadcast):
    broadcast = sent_broadcast()
    progress = broadcast_progress(broadcast)
    assert (progress.total, progress.sent, progress.test_mode, progress.failed) == (3, 0, 3, 0)
    assert progress.percent == 100  # nothing is left to do


def test_a_real_transports_progress_is_unchanged(org, sent_broadcast):
    progress = broadcast_progress(sent_broadcast(real=True))
    assert (progress.total, progress.sent, progress.test_mode, progress.failed) == (3, 3, 0, 0)
    assert progress.percent == 100


@pytest.mark.parametrize(
    ("language", "sent", "test_mode"),
    [("en", "Sent", "Test mode, not sent"), ("uk", "Надіслано", "Тестовий режим, не надіслано")],
)
def test_the_detail_and_the_list_say_test_mode(
    org, language, sent, test_mode, sent_broadcast, staff_page, in_language
):
    broadcast = sent_broadcast()
    in_language(language)
    detail = staff_page("broadcasts:detail", broadcast.pk)
    assert f'{sent}: <strong data-testid="progress-sent">0</strong>' in detail
    assert f'{test_mode}: <strong data-testid="progress-test-mode">3</strong>' in detail
    # the log's Sent time: nothing was sent, so none is shown (as on the message's page)
    times = re.findall(r'<td class="text-nowrap">([^<]*)</td></tr>', detail)
    assert times == ["—"] * 3
    listing = staff_page("broadcasts:list")
    cell = re.search(r'data-testid="broadcast-sent">(.*?)</td>', listing, re.S)
    assert cell and cell.group(1).startswith("0<")
    assert f'data-testid="broadcast-test-mode">{test_mode}: 3</span>' in cell.group(1)


@pytest.mark.parametrize(("language", "sent"), [("en", "Sent"), ("uk", "Надіслано")])
def test_a_real_broadcasts_pages_say_nothing_of_the_test_mode(
    org, language, sent, sent_broadcast, staff_page, in_language
):
    broadcast = sent_broadcast(real=True)
    in_language(language)
    detail = staff_page("broadcasts:detail", broadcast.pk)
    assert f'{sent}: <strong data-testid="progress-sent">3</strong>' in detail
    assert "progress-test-mode" not in detail
    assert "—</td></tr>" not in detail  # each row has its sent time
    listing = staff_page("broadcasts:list")
    assert re.search(r'data-testid="broadcast-sent">3</td>', listing)
    assert "broadcast-test-mode" not in listing


def test_a_scheduled_broadcast_has_no_sent_figure_yet(org, consoles, staff_page):
    make_client(org)
    with mock.patch.object(services, "_enqueue"):
        services.broadcast_create(
            organization=org,
            spec=services.AudienceSpec("all"),
            channel="sms",
            text="Later",
            send_at=timezone.now() + timedelta(days=1),
            actor=Actor.system("tests"),
        )
    listing = staff_page("broadcasts:list")
    assert 'data-testid="broadcast-sent">—</td>' in listing


def test_the_notification_and_the_audit_say_test_mode(org, sent_broadcast):
    broadcast = sent_broadcast()
    note = StaffNotification.objects.get(related_id=str(broadcast.pk))
    assert note.level == "warning"  # not a green "success": nobody got it
    with translation.override("en"):
        # named by its first words (fifth tour: «Розсилку №1 від 04.12.2026 19:30 …»); the
        # variable's label inside them is as the organization's language wrote it
        assert note.shown_title.startswith("Broadcast “Hi [")
        assert note.shown_title.endswith("]!”: test mode, nothing was sent")
        assert note.shown_body == (
            "Sent 0, test mode (not sent to anyone) 3, not delivered 0, not reachable 0.\n"
            "The message to Шевченко Олена0: “Hi Олена0!”"
        )
    with translation.override("uk"):
        assert note.shown_title == (
            "Розсилка «Hi [Ім'я клієнта]!»: тестовий режим, нічого не надіслано"
        )
        assert note.shown_body == (
            "Надіслано 0, у тестовому режимі (нікому не надіслано) 3, не доставлено 0, "
            "недосяжних 0.\nПовідомлення клієнтові (Шевченко Олена0): «Hi Олена0!»"
        )
    row = AuditLog.objects.get(action="broadcast.finish")
    assert row.changes == {"sent": 0, "failed": 0, "test_mode": 3}
    for language, label in (("en", "Test mode, not sent"), ("uk", "Тестовий режим, не надіслано")):
        with translation.override(language):
            (text,) = audit_rows_read([row])
            assert (label, "3") in [(c.label, c.new) for c in text.changes]


def test_a_real_broadcasts_notification_and_audit_are_unchanged(org, sent_broadcast):
    broadcast = sent_broadcast(real=True)
    note = StaffNotification.objects.get(related_id=str(broadcast.pk))
    assert note.level == "success"
    with translation.override("en"):
        assert note.shown_title.startswith("Broadcast “Hi [")
        assert note.shown_title.endswith("]!” sent")
        assert note.shown_body == (
            "Sent 3, not delivered 0, not reachable 0.\n"
            "The message to Шевченко Олена0: “Hi Олена0!”"
        )
    with translation.override("uk"):
        assert note.shown_title == "Розсилку «Hi [Ім'я клієнта]!» надіслано"
        assert note.shown_body == (
            "Надіслано 3, не доставлено 0, недосяжних 0.\n"
            "Повідомлення клієнтові (Шевченко Олена0): «Hi Олена0!»"
        )
    assert AuditLog.objects.get(action="broadcast.finish").changes == {"sent": 3, "failed": 0}


def test_the_api_gives_the_test_mode_apart(org, api, sent_broadcast):
    test = sent_broadcast()
    response = api.get(f"/api/v1/broadcasts/{test.pk}")
    assert response.status == 200, response.json
    assert (response.json["sent"], response.json["test_mode"]) == (0, 3)


def test_the_list_counts_every_row_in_one_query(
    org, staff_client, django_assert_max_num_queries, sent_broadcast
):
    sent_broadcast(1)
    with django_assert_max_num_queries(30) as one:
        staff_client.get(reverse("broadcasts:list"))
    for _ in range(4):
        sent_broadcast(1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = staff_client.get(reverse("broadcasts:list")).content.decode()
    assert page.count('data-testid="broadcast-test-mode"') == 5


@pytest.mark.parametrize("msgid", services.FORMER_TEXTS)
def test_notifications_titled_before_still_read_in_each_language(msgid):
    from django.utils.translation import gettext

    from zapys.core.stored_text import render_stored

    with translation.override("uk"):
        assert gettext(msgid) != msgid  # still in the catalogue
        stored = {"msgid": msgid, "params": {"id": 1, "time": "04.12.2026 19:30"}}
        shown = render_stored(stored, fallback="")
        assert shown.startswith("Розсилку №1 від 04.12.2026 19:30")
