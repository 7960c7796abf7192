"""A mark on the attendance page («Візити дня») or the API's attendance moves the visit's
status, and the money follows as it does for the status buttons: a no-show's fee, a paid
booking cancelled by the policy. Before, the mark moved the status without telling the apps,
so a no-show marked there owed nothing and a cancelled visit kept its booking "paid"."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from tests.factories_prepayments import enable_prepayment, make_booking_type, make_paid_booking
from zapys.core.models import AuditLog
from zapys.ledger.selectors import client_balance
from zapys.prepayments import services
from zapys.prepayments.models import Booking, Fee
from zapys.schedule.models import Attendance, Visit
from zapys.schedule.services import attendance_mark


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _attendance(booking: Booking) -> Attendance:
    return Attendance.objects.get(visit=booking.visit)


def _status_rows(visit: Visit) -> list:
    return list(
        AuditLog.objects.filter(action="visit.status", object_id=str(visit.pk)).values_list(
            "changes", flat=True
        )
    )


def test_absent_marked_on_the_attendance_page_owes_the_no_show_fee(org, branch, ready):
    booking = make_paid_booking(org, branch, hours=3)
    attendance_mark(attendance=_attendance(booking), state="absent", actor=SYSTEM)
    visit = Visit.objects.select_related("status").get(pk=booking.visit_id)
    assert visit.status.is_no_show
    fee = Fee.objects.get(visit=visit)
    assert (fee.kind, fee.state, fee.amount) == ("no_show", "pending", 10_000)
    assert len(_status_rows(visit)) == 1  # the status change is in the audit as on the card
    # the mark undone: its fee, not yet charged, goes with it
    attendance_mark(attendance=_attendance(booking), state="planned", actor=SYSTEM)
    fee.refresh_from_db()
    assert fee.state == "waived"
    assert client_balance(booking.client) == 20_000  # nothing was ever charged


def test_cancelled_on_the_attendance_page_cancels_the_paid_booking_by_the_policy(
    org, branch, ready
):
    booking = make_paid_booking(org, branch, hours=3)
    attendance_mark(attendance=_attendance(booking), state="cancelled", actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    fee = Fee.objects.get(visit_id=booking.visit_id)
    assert (fee.kind, fee.state, fee.amount) == ("late_cancel", "charged", 6_000)
    assert (booking.cancel_kept, booking.cancel_to_balance) == (6_000, 14_000)
    assert client_balance(booking.client) == 14_000


def test_attended_changes_no_money_of_the_booking(org, branch, ready):
    booking = make_paid_booking(org, branch, hours=3)
    attendance_mark(attendance=_attendance(booking), state="attended", actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "paid"
    assert not Fee.objects.exists()
    assert len(_status_rows(booking.visit)) == 1
