"""A cancelled visit's refund that the provider declines: shown on the booking as "Refund
failed" with the provider's reason, staff notified, the client not told "refunded";
"Retry refund" asks again once (idempotent, audited) and nothing is reversed twice."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking_type,
    make_paid_booking,
)
from zapys.core.exceptions import Conflict
from zapys.core.models import AuditLog
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message, StaffNotification
from zapys.payments.models import PaymentRefund, SandboxCharge
from zapys.prepayments import services
from zapys.prepayments.models import Booking, CancellationPolicy
from zapys.prepayments.refund_reasons import refund_failure_text
from zapys.schedule.services import visit_cancel


@pytest.fixture
def refunding(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    make_booking_type(org, "fixed", 20_000)
    policy = CancellationPolicy.objects.get(preset="moderate")
    services.cancellation_policy_update(policy=policy, actor=SYSTEM, late_cancel_rest="refund")


def _paid(org, branch) -> Booking:
    return make_paid_booking(org, branch, hours=3)


def _provider_declines(booking: Booking, declines: bool) -> None:
    """The simulator refuses a refund of a charge that is not 'success' (not_refundable)."""
    assert booking.payment is not None
    SandboxCharge.objects.filter(order_id=booking.payment.order_id).update(
        status="failure" if declines else "success"
    )


def test_a_declined_refund_is_shown_notified_and_retried_once(
    org,
    branch,
    owner,
    refunding,
    sandbox_in_process,
    django_capture_on_commit_callbacks,
    staff_client,
):
    booking = _paid(org, branch)
    _provider_declines(booking, True)
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=booking.visit, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.cancel_refunded == 14_000
    assert booking.refund_state == "failed" and booking.refund_error_code == "not_refundable"
    assert booking.payment is not None
    booking.payment.refresh_from_db()
    assert booking.payment.refunded_amount == 0
    # Staff read what happened and what to do; the provider's code stays in the audit row.
    with translation.override(org.language or "uk"):
        said = refund_failure_text("not_refundable", "")
    note = StaffNotification.objects.get(body__contains=said)
    assert "not_refundable" not in note.body
    assert f"/prepayments/{booking.pk}/" in note.url
    texts = list(Message.objects.filter(client=booking.client).values_list("text", flat=True))
    assert not any("refunded to your card" in t or "повернуто" in t for t in texts), texts
    failed = AuditLog.objects.get(action="booking.refund_failed", object_id=str(booking.pk))
    assert failed.changes["code"] == "not_refundable"

    page = staff_client.get(f"/prepayments/{booking.pk}/").content.decode()
    assert 'data-testid="refund-state"' in page and 'data-testid="retry-refund"' in page
    reason = page.split('data-testid="refund-error">')[1][:300]
    sentences = []
    for language in ("uk", "en"):
        with translation.override(language):
            sentences.append(refund_failure_text("not_refundable", "").replace("'", "&#x27;"))
    assert any(s in reason for s in sentences) and "not_refundable" not in page

    # Declined again: still failed, nothing reversed, staff told again.
    response = staff_client.post(f"/prepayments/{booking.pk}/retry-refund/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.refund_state == "failed"
    assert StaffNotification.objects.filter(body__contains=said).count() == 2

    # The provider takes it now: refunded once, the client told once.
    _provider_declines(booking, False)
    staff_client.post(f"/prepayments/{booking.pk}/retry-refund/")
    booking.refresh_from_db()
    booking.payment.refresh_from_db()
    assert booking.refund_state == "done" and booking.refund_error_code == ""
    assert booking.payment.refunded_amount == 14_000
    assert SandboxCharge.objects.get(order_id=booking.payment.order_id).refunded == 14_000
    assert client_balance(booking.client) == 0
    done = Message.objects.filter(client=booking.client, event="prepayments.refund_done")
    assert done.count() == 1

    # A third click: 409-style refusal, nothing asked of the provider, nothing reversed.
    refunds = PaymentRefund.objects.count()
    with pytest.raises(Conflict):
        services.booking_refund_retry(booking=booking, actor=SYSTEM)
    staff_client.post(f"/prepayments/{booking.pk}/retry-refund/")
    assert PaymentRefund.objects.count() == refunds
    booking.payment.refresh_from_db()
    assert booking.payment.refunded_amount == 14_000
    assert done.count() == 1
    assert AuditLog.objects.filter(action="booking.refund_retry").count() == 2


def test_a_refund_that_goes_through_tells_the_client_then(
    org, branch, refunding, sandbox_in_process, django_capture_on_commit_callbacks
):
    booking = _paid(org, branch)
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=booking.visit, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.refund_state == "done"
    cancelled = Message.objects.get(
        client=booking.client, event="prepayments.visit_cancelled_money"
    )
    assert "refunded to your card" not in cancelled.text
    assert (
        Message.objects.filter(client=booking.client, event="prepayments.refund_done").count() == 1
    )
    assert not StaffNotification.objects.filter(level="warning").exists()
