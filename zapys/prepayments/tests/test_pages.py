"""The public payment page (B6) and the staff pages (settings, dialog, report, card)."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from tests.factories import SYSTEM, make_branch
from tests.factories_ledger import make_payment_type
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.exceptions import Conflict
from zapys.core.tenancy import org_scope
from zapys.ledger.selectors import entries_for_cause
from zapys.ledger.services import entry_create
from zapys.payments.models import Payment
from zapys.payments.services import payment_fail, payment_succeed
from zapys.prepayments import services, sweeps
from zapys.prepayments.models import Booking, BranchFinance


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org, page_business_name="Studio Lime", page_call_to_action="Awaiting you")
    return make_booking_type(org, "fixed", 20_000)


def test_tampered_token_is_404(client, org, branch, ready):
    booking = make_booking(org, branch)
    assert client.get(f"/p/{booking.token}x/").status_code == 404
    assert client.get("/p/" + "a" * 32 + "/").status_code == 404


def test_agreement_must_be_accepted_before_the_form(client, org, branch, ready):
    booking = make_booking(org, branch)
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert "Studio Lime" in page and "Awaiting you" in page
    assert 'data-testid="agreement-form"' in page and "checkout-form" not in page
    refused = client.post(f"/p/{booking.token}/", {})
    assert "checkout-form" not in refused.content.decode()
    booking.refresh_from_db()
    assert booking.accepted_at is None
    client.post(f"/p/{booking.token}/", {"accept": "on"}, HTTP_USER_AGENT="Phone/1.0")
    booking.refresh_from_db()
    assert booking.accepted_at and booking.accepted_user_agent == "Phone/1.0"
    assert booking.accepted_ip == "127.0.0.1"
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert 'data-testid="checkout-form"' in page
    assert 'action="http://testserver/payments/sandbox/checkout/"' in page


def test_declined_card_can_be_retried_from_the_same_link(client, org, branch, ready):
    booking = make_booking(org, branch)
    client.post(f"/p/{booking.token}/", {"accept": "on"})
    first = booking.payment
    payment_fail(payment=first, actor=SYSTEM)  # the provider declined the card
    # back from the provider: not "waiting", but the decline and a way to pay again
    page = client.get(f"/p/{booking.token}/?return=1").content.decode()
    assert 'data-testid="payment-declined"' in page and 'data-testid="pay-again"' in page
    assert "checkout-form" not in page and "page-state-waiting" not in page
    client.post(f"/p/{booking.token}/", {"action": "retry"})
    booking.refresh_from_db()
    second = booking.payment
    assert second.pk != first.pk and second.status == "pending"
    assert second.amount == booking.amount and second.expires_at == booking.expires_at
    assert Payment.objects.get(pk=first.pk).status == "failed"  # kept for the record
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert 'data-testid="checkout-form"' in page and "pay-again" not in page
    # retrying while the new attempt is open changes nothing
    client.post(f"/p/{booking.token}/", {"action": "retry"})
    booking.refresh_from_db()
    assert booking.payment_id == second.pk
    payment_succeed(payment=second, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "paid"
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert "pay-again" not in page and 'data-testid="page-state"' in page


def test_retry_refused_after_the_deadline(client, org, branch, ready):
    booking = make_booking(org, branch)
    payment_fail(payment=booking.payment, actor=SYSTEM)
    with pytest.raises(Conflict):
        services.booking_payment_retry(
            booking=booking, actor=SYSTEM, now=booking.expires_at + timedelta(seconds=1)
        )
    booking.refresh_from_db()
    assert booking.payment.status == "failed"


def test_paying_from_balance_needs_the_agreement_first(client, org, branch, ready):
    booking = make_booking(org, branch)
    entry_create(client=booking.client, kind="debit", amount=50_000, purpose="top_up", actor=SYSTEM)
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert 'data-testid="covered"' in page and 'data-testid="pay-balance"' not in page
    refused = client.post(f"/p/{booking.token}/", {"action": "balance"}).content.decode()
    assert "is-invalid" in refused  # the agreement checkbox is flagged
    booking.refresh_from_db()
    assert booking.status == "pending" and booking.accepted_at is None
    assert not entries_for_cause(booking).exists()
    client.post(f"/p/{booking.token}/", {"accept": "on"}, HTTP_USER_AGENT="Phone/1.0")
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert 'data-testid="pay-balance"' in page
    client.post(f"/p/{booking.token}/", {"action": "balance"})
    booking.refresh_from_db()
    assert booking.status == "paid" and booking.paid_from_balance
    assert booking.accepted_user_agent == "Phone/1.0"


def test_expired_link_shows_message_no_form(client, org, branch, ready):
    services.prepayment_settings_update(
        organization=org,
        actor=__import__("tests.factories").factories.SYSTEM,
        page_expired_message="Sorry, too late.",
    )
    booking = make_booking(org, branch)
    sweeps.sweep(booking.expires_at)
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert "Sorry, too late." in page
    assert "checkout-form" not in page and "agreement-form" not in page


@pytest.mark.parametrize("theme", ["light", "dark", "rose", "forest"])
def test_themes_and_language(client, org, branch, ready, theme):
    services.prepayment_settings_update(
        organization=org, actor=SYSTEM, page_theme=theme, page_language="en", page_show_prices=False
    )
    booking = make_booking(org, branch)
    page = client.get(f"/p/{booking.token}/").content.decode()
    assert f"prepay-{theme}" in page and "I have read and accept the terms" in page
    assert 'data-testid="service-price"' not in page


def _jpeg(size=(3000, 1000)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(out, format="JPEG")
    return out.getvalue()


def test_settings_tabs_and_background_upload(staff_client, org, ready):
    for tab in ["main", "term", "system", "finance", "messages", "page", "agreement"]:
        r = staff_client.get(f"/settings/prepayment/?tab={tab}")
        assert r.status_code == 200, tab
    r = staff_client.post(
        "/settings/prepayment/?tab=page",
        {
            "page_language": "uk",
            "page_theme": "dark",
            "page_business_name": "Lime",
            "page_show_prices": "on",
            "page_background": SimpleUploadedFile("bg.jpg", _jpeg(), content_type="image/jpeg"),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    settings = services.prepayment_settings_get(org)
    with Image.open(settings.page_background.path) as img:
        assert img.format == "JPEG" and max(img.size) <= 2400
    png = io.BytesIO()
    Image.new("RGB", (10, 10)).save(png, format="PNG")
    r = staff_client.post(
        "/settings/prepayment/?tab=page",
        {
            "page_language": "uk",
            "page_theme": "dark",
            "page_background": SimpleUploadedFile(
                "bg.jpg", png.getvalue(), content_type="image/jpeg"
            ),
        },
    )
    assert r.status_code == 200 and "JPEG" in r.content.decode()


def test_term_tab_validation_and_cancel_status(staff_client, org, ready):
    r = staff_client.post(
        "/settings/prepayment/?tab=term",
        {
            "link_lifetime_hours": "0",
            "auto_cancel_after_minutes": "5",
            "reminder_hours_before": "1",
        },
    )
    assert r.status_code == 200
    assert services.prepayment_settings_get(org).link_lifetime_hours == 24
    staff_client.post("/settings/prepayment/cancel-status/")
    status = services.prepayment_settings_get(org).cancel_status
    assert status is not None and status.is_system and status.is_cancellation


def test_visit_dialog_shows_amount_and_creates(staff_client, org, branch, ready):
    visit = make_visit(org, branch)
    page = staff_client.get(f"/visits/{visit.pk}/booking/").content.decode()
    assert "200,00" in page
    r = staff_client.post(
        f"/visits/{visit.pk}/booking/", {"booking_type": ready.pk, "channel": "sms"}
    )
    assert r.status_code == 302
    booking = Booking.objects.get()
    detail = staff_client.get(r["Location"]).content.decode()
    assert booking.payment_url in detail and 'data-clock="grey"' in detail
    again = staff_client.post(f"/visits/{visit.pk}/booking/", {"booking_type": ready.pk})
    # a second tab or a double submit: the booking's own page, saying so in words (the
    # staff UI speaks the organization's language, Ukrainian by default), no booking number
    assert again.status_code == 302 and again["Location"] == r["Location"]
    shown = staff_client.get(again["Location"]).content.decode()
    assert "У цього візиту вже є передоплата — ось вона." in shown
    assert Booking.objects.count() == 1
    # opened again, the page points to the active booking instead of offering a second one
    reopened = staff_client.get(f"/visits/{visit.pk}/booking/").content.decode()
    assert 'data-testid="active-booking-note"' in reopened
    assert 'data-testid="create-booking"' not in reopened


def test_report_filters_totals_export(
    staff_client, org, branch, ready, django_assert_max_num_queries
):
    bookings = [make_booking(org, branch) for _ in range(3)]
    sweeps.sweep(max(b.expires_at for b in bookings))
    fresh = make_booking(org, branch)
    with django_assert_max_num_queries(25):
        page = staff_client.get("/prepayments/").content.decode()
    assert re.search(r'data-testid="total-issued">4<', page)
    # each booking on one status card (the table's badge): auto-cancelled is "cancelled"
    assert re.search(r'data-testid="total-cancelled">3<', page)
    assert re.search(r'data-testid="total-pending">1<', page)
    assert re.search(r'data-testid="total-expired">0<', page)
    # ... and their links ran out unpaid: said apart, as the chart draws it
    assert re.search(r'data-testid="total-ran-out">3<', page)
    chart = json.loads(re.search(r'id="prepay-chart-data"[^>]*>(.*?)</script>', page).group(1))
    assert sum(chart["ran_out"]) == 3 and sum(chart["received"]) == 0
    assert "chart.umd.js" in page
    only = staff_client.get("/prepayments/?status=pending").content.decode()
    assert only.count('data-testid="booking-row"') == 1
    late = bookings[0]
    Booking.objects.filter(pk=late.pk).update(paid_late=True)
    only_late = staff_client.get("/prepayments/?paid_late=on").content.decode()
    assert only_late.count('data-testid="booking-row"') == 1 and late.client.name in only_late
    csv = staff_client.get("/prepayments/?export=csv").content.decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 5 and fresh.client.name in csv
    xlsx = staff_client.get("/prepayments/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in sheet[1]]
    amounts = [row[header.index("Сума")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert amounts == [200] * 4  # numbers (200.00 UAH), not text
    _ = timedelta


def test_branch_payment_type_is_chosen_from_a_list(staff_client, org, branch, other_org, ready):
    card = make_payment_type(branch, "card")
    with org_scope(other_org):
        foreign = make_payment_type(make_branch(other_org, "Elsewhere"), "card")
    page = staff_client.get("/settings/prepayment/?tab=finance").content.decode()

    # Only the payment-type list: other selects on the page may hold the same numeric id.
    select = re.search(r'<select[^>]*name="payment_type".*?</select>', page, re.S)
    assert 'data-testid="branch-payment-type"' in page and select is not None
    assert f'value="{card.pk}"' in select.group(0)
    assert f'value="{foreign.pk}"' not in select.group(0)
    url = reverse("prepayments:branch_finance", args=[branch.pk])
    for bad in (str(foreign.pk), "abc"):
        staff_client.post(url, {"payment_type": bad, "fiscal_register": "RRO-1"})
        assert not BranchFinance.objects.filter(branch=branch).exists()  # nothing written
    staff_client.post(url, {"payment_type": str(card.pk), "fiscal_register": "RRO-1"})
    saved = BranchFinance.objects.get(branch=branch)
    assert (saved.payment_type_id, saved.fiscal_register) == (card.pk, "RRO-1")
