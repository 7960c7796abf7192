"""Issue 17: the cash register's warnings to staff (working offline, a shift that could not
open) are stored as a msgid with parameters and read in each reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import pytest
from django.utils import translation

from tests.pages import staff_page
from zapys.fiscal import shifts
from zapys.fiscal.models import Shift
from zapys.fiscal.sending import receipts_send
from zapys.fiscal.tests.factories import make_register, paid_topup
from zapys.messaging.models import StaffNotification

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


def _register_notice() -> StaffNotification:
    return StaffNotification.objects.get(related_type="fiscal.cashregister")


def test_offline_written_in_ukrainian_reads_in_english(org, branch, sim, owner, staff_client):
    sim.offline = True
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    with translation.override("uk"):  # the worker's language
        receipts_send(T0)
    notice = _register_notice()
    assert notice.title == "ПРРО філії Main працює офлайн"
    assert notice.title_text == {
        "msgid": "Cash register of %(branch)s is working offline",
        "params": {"branch": "Main"},
    }
    page = staff_page(staff_client, owner, "en", "messaging:notifications")
    assert "Cash register of Main is working offline" in page
    assert "they reach the tax service when it is back online" in page
    assert "працює офлайн" not in page


def test_offline_written_in_english_reads_in_ukrainian(org, branch, sim, owner, staff_client):
    sim.offline = True
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    with translation.override("en"):
        receipts_send(T0)
    assert _register_notice().title == "Cash register of Main is working offline"
    page = staff_page(staff_client, owner, "uk", "messaging:notifications")
    assert "ПРРО філії Main працює офлайн" in page
    assert "is working offline" not in page


def test_shift_not_opened_reads_in_the_readers_language(org, branch, sim, owner, staff_client):
    sim.fail_open = "Каса зайнята іншим касиром"
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    with translation.override("uk"):
        receipts_send(T0)
    notice = _register_notice()
    # Checkbox's own reason is shown as it came, in every language.
    assert notice.body == "Каса зайнята іншим касиром" and notice.body_text == {}
    page = staff_page(staff_client, owner, "en", "messaging:notifications")
    assert "Shift of Main could not be opened" in page
    assert "Каса зайнята іншим касиром" in page
    page = staff_page(staff_client, owner, "uk", "messaging:notifications")
    assert "Зміну ПРРО філії Main не вдалося відкрити" in page


def test_our_own_reason_for_a_shift_not_opened_is_translated(org, branch, sim):
    sim.fail_open = "Каса зайнята іншим касиром"
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    # Checkbox closed the shift without saying why: the reason is ours.
    with mock.patch.object(shifts, "_reason", return_value=""), translation.override("en"):
        receipts_send(T0)
    # The shift keeps it as text in the organization's language (the fiscal pages show it).
    assert org.language == "uk"
    assert Shift.objects.get().error == "Checkbox не зміг відкрити зміну."
    notice = _register_notice()
    with translation.override("uk"):
        assert notice.shown_body == "Checkbox не зміг відкрити зміну."
    with translation.override("en"):
        assert notice.shown_body == "Checkbox could not open the shift."
