"""The visit card (calendar modal and visit page) shows a cancelled visit's refund to the
card — failed with what happened and what to do, and "Retry refund" — not only the
booking page."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation

from tests.factories import SYSTEM, make_branch, make_staff
from tests.factories_prepayments import make_visit
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.payments.models import PaymentRefund
from zapys.prepayments.models import Booking
from zapys.prepayments.refund_reasons import refund_failure_text
from zapys.prepayments.tests.test_refund_failed import _paid, _provider_declines, refunding
from zapys.schedule.services import visit_cancel

__all__ = ["refunding"]  # the fixture, used by name


@pytest.fixture
def failed(org, branch, refunding, sandbox_in_process, django_capture_on_commit_callbacks):
    booking = _paid(org, branch)
    _provider_declines(booking, True)
    with django_capture_on_commit_callbacks(execute=True):
        visit_cancel(visit=booking.visit, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.refund_state == "failed"
    return booking


def _said(code: str) -> list[str]:
    out = []
    for language in ("uk", "en"):
        with translation.override(language):
            out.append(refund_failure_text(code, "").replace("'", "&#x27;"))
    return out


def test_the_card_shows_the_failed_refund_and_retries_it(
    staff_client, org, failed, django_assert_max_num_queries
):
    booking: Booking = failed
    card = staff_client.get(f"/visits/{booking.visit_id}/").content.decode()
    url = reverse("prepayments:visit_refunds", args=[booking.visit_id])
    assert url in card and 'data-testid="visit-refunds-slot"' in card

    with django_assert_max_num_queries(12):
        panel = staff_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="visit-refund-state"' in panel
    assert any(s in panel for s in _said("not_refundable")), panel
    assert "not_refundable" not in panel
    assert 'data-testid="visit-retry-refund"' in panel

    # Declined again: the card says so, still failed, nothing refunded.
    panel = staff_client.post(
        url, {"booking_id": booking.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="visit-refund-error"' in panel
    booking.refresh_from_db()
    assert booking.refund_state == "failed"
    assert booking.payment is not None and booking.payment.refunded_amount == 0

    # The provider takes it: refunded once; the card says so and offers no retry.
    _provider_declines(booking, False)
    panel = staff_client.post(
        url, {"booking_id": booking.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="visit-refund-done"' in panel
    assert 'data-testid="visit-retry-refund"' not in panel
    booking.refresh_from_db()
    booking.payment.refresh_from_db()
    assert booking.refund_state == "done" and booking.payment.refunded_amount == 14_000
    assert AuditLog.objects.filter(action="booking.refund_retry").count() == 2

    # A third click (a stale card): refused, nothing asked of the provider.
    refunds = PaymentRefund.objects.count()
    panel = staff_client.post(
        url, {"booking_id": booking.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-testid="visit-refund-error"' in panel
    assert PaymentRefund.objects.count() == refunds

    # Without htmx the form posts back to the visit page.
    response = staff_client.post(url, {"booking_id": booking.pk})
    assert response.status_code == 302 and response.url == f"/visits/{booking.visit_id}/"


def test_bad_input_other_organizations_and_specialists_change_nothing(
    client, staff_client, org, branch, other_org, failed
):
    booking: Booking = failed
    url = reverse("prepayments:visit_refunds", args=[booking.visit_id])
    for bad in ("", "abc", "-1", "9" * 30, str(booking.pk + 1000)):
        response = staff_client.post(url, {"booking_id": bad}, HTTP_HX_REQUEST="true")
        assert response.status_code == 404
    # Another visit's URL with this booking: not this visit's booking.
    with org_scope(org):
        other_visit = make_visit(org, branch)
    other_url = reverse("prepayments:visit_refunds", args=[other_visit.pk])
    assert staff_client.post(other_url, {"booking_id": booking.pk}).status_code == 404
    assert (
        'data-testid="visit-refund"'
        not in staff_client.get(other_url, headers={"HX-Request": "true"}).content.decode()
    )

    # Another organization's owner: 404 for the visit, nothing retried.
    with org_scope(other_org):
        stranger = make_staff(other_org, "owner", branches=[make_branch(other_org)])
    foreign = HttpClient()
    foreign.force_login(stranger)
    assert foreign.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert foreign.post(url, {"booking_id": booking.pk}).status_code == 404

    # A specialist sees the state on their own visit but cannot retry.
    with org_scope(org):
        specialist = make_staff(org, "specialist", branches=[branch])
        booking.visit.staff = specialist
        booking.visit.save(update_fields=["staff"])
    client.force_login(specialist)
    assert 'data-testid="visit-retry-refund"' not in client.get(url).content.decode()
    assert client.post(url, {"booking_id": booking.pk}).status_code == 404

    booking.refresh_from_db()
    assert booking.refund_state == "failed"
    assert not AuditLog.objects.filter(action="booking.refund_retry").exists()
