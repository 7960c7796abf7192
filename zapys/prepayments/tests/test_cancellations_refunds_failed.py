"""Cancellations and fees: the refunds the provider declined are counted and listed ("Refund
failed", the reason in words, a link to the booking), in uk and en, never with the provider's
code; the CSV of them opens in a Ukrainian Excel; the page is a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.tenancy import org_scope
from zapys.prepayments import services
from zapys.prepayments.models import Booking
from zapys.schedule.models import Visit

URL = "/prepayments/cancellations/"


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _refund(org, branch, *, state: str, code: str = "", detail: str = "", days: int = -1):
    """A cancelled paid visit whose refund to the card ended in `state` (the state machine
    that gets there is test_refund_failed's; here only what the report reads)."""
    with org_scope(org):
        visit = make_visit(org, branch, starts_at=timezone.now() + timedelta(hours=3))
        booking = make_booking(org, branch, visit=visit)
        Visit.objects.filter(pk=visit.pk).update(starts_at=timezone.now() + timedelta(days=days))
        Booking.objects.filter(pk=booking.pk).update(
            status=Booking.Status.CANCELLED,
            cancelled_by="staff",
            cancel_refunded=20_000,
            refund_state=state,
            refund_error_code=code,
            refund_error=detail,
        )
    return booking


def test_failed_refunds_counted_listed_in_words_with_the_booking(
    staff_client, org, branch, other_org, ready
):
    declined = _refund(org, branch, state="failed", code="not_refundable",
                       detail="not_refundable: payment is not refundable")  # fmt: skip
    unknown = _refund(org, branch, state="failed", code="zz_weird_42", detail="zz_weird_42")
    _refund(org, branch, state="done")
    _refund(org, branch, state="pending")
    with org_scope(other_org):
        other_branch = branch.__class__.objects.create(organization=other_org, name="B")
        enable_prepayment(other_org)
        make_booking_type(other_org, "fixed", 20_000)
    _refund(other_org, other_branch, state="failed", code="not_refundable")

    staff_client.cookies["django_language"] = "en"
    page = staff_client.get(URL).content.decode()
    assert 'data-testid="refund-failed-count">2<' in page  # not the other salon's, not done
    assert 'data-testid="cancellations-table"' in page and "refund-failed-row" not in page

    page = staff_client.get(URL, {"refund": "failed"}).content.decode()
    assert page.count('data-testid="refund-failed-row"') == 2
    assert 'data-testid="cancellations-table"' not in page
    assert f"/prepayments/{declined.pk}/" in page and f"/prepayments/{unknown.pk}/" in page
    assert "Refund failed" in page and "no longer allows refunding" in page
    assert "200.00" in page
    # The provider's codes and raw words stay in the audit log, never on the page.
    assert "not_refundable" not in page and "zz_weird_42" not in page
    assert 'name="refund" value="failed"' in page  # the period form keeps the filter

    staff_client.cookies["django_language"] = "uk"
    page = staff_client.get(URL, {"refund": "failed"}).content.decode()
    assert "Повернення не вдалося" in page and "Refund failed" not in page
    assert "Усі скасування" in page and "200,00" in page and "not_refundable" not in page


def test_the_period_filters_failed_refunds(staff_client, org, branch, ready):
    _refund(org, branch, state="failed", code="not_refundable", days=-1)
    _refund(org, branch, state="failed", code="not_refundable", days=-40)
    day = (timezone.localdate() - timedelta(days=5)).strftime("%Y-%m-%d")
    page = staff_client.get(URL, {"refund": "failed", "date_from": day}).content.decode()
    assert page.count('data-testid="refund-failed-row"') == 1
    assert 'data-testid="refund-failed-count">1<' in page


def test_failed_refunds_csv_and_constant_queries(staff_client, org, branch, ready):
    _refund(org, branch, state="failed", code="not_refundable")
    staff_client.get(URL, {"refund": "failed"})  # warm the session and menus
    with CaptureQueriesContext(connection) as one:
        staff_client.get(URL, {"refund": "failed"})
    for code in ("1123", "payment_not_found", "no_answer", "something_new"):
        _refund(org, branch, state="failed", code=code)
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(URL, {"refund": "failed"}).content.decode()
    assert page.count('data-testid="refund-failed-row"') == 5
    assert len(many.captured_queries) == len(one.captured_queries) > 0

    staff_client.cookies["django_language"] = "uk"
    csv = staff_client.get(URL, {"refund": "failed", "export": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    lines = text.strip().splitlines()
    assert len(lines) == 6 and lines[0].split(";")[0] == "Візит"
    assert "200,00" in lines[1] and "20000" not in text
    assert "not_refundable" not in text and "something_new" not in text
