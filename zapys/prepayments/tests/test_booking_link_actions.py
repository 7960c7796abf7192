"""The staff booking page's link actions (issue 17): links to the client, the visit and
the payment; copy the link; send it again (confirmed, the delivery shown); give more time
(a wrong number of hours is an error on the field and changes nothing). uk and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_visit,
)
from zapys.core.models import AuditLog
from zapys.messaging.models import Message
from zapys.prepayments.models import Booking


@pytest.fixture
def booking(org, branch):
    enable_prepayment(org)
    make_booking_type(org, "fixed", 20_000)
    # two days ahead, so 100 more hours is past the visit (the factory's default start moves
    # 90 minutes later with every visit made before in the process)
    visit = make_visit(org, branch, starts_at=timezone.now() + timedelta(days=2))
    return make_booking(org, branch, visit=visit)


def _page(client, booking: Booking, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("prepayments:detail", args=[booking.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Send the link again", "Give more time", "Copy", "Copied", "Hours to add"]),
        ("uk", ["Надіслати посилання ще раз", "Подовжити", "Копіювати", "Скопійовано"]),
    ],
)
def test_the_page_links_everything_and_offers_the_actions(
    staff_client, booking, language, words
) -> None:
    html = _page(staff_client, booking, language)
    assert f'href="/clients/{booking.client_id}/"' in html
    assert f'href="/visits/{booking.visit_id}/"' in html
    assert f'href="/payments/{booking.payment_id}/"' in html
    assert 'data-copy="#booking-link"' in html and booking.payment_url in html
    for word in words:
        assert word in html


def test_resend_sends_a_new_message_and_says_where_it_went(staff_client, booking) -> None:
    before = Message.objects.count()
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = staff_client.post(reverse("prepayments:resend", args=[booking.pk]), follow=True)
    assert Message.objects.count() == before + 1
    html = response.content.decode()
    assert "The payment link was sent again" in html
    assert html.count('data-testid="booking-message"') == 2  # the first and the resend
    # "delivered" by the demo's test-mode transport: it reached no one, and the page says so
    Message.objects.filter(pk__gt=0).update(transport_code="console", status="delivered")
    page = staff_client.get(reverse("prepayments:detail", args=[booking.pk])).content.decode()
    assert page.count("Test mode: not sent") == 2 and ">Delivered<" not in page
    assert AuditLog.objects.filter(action="booking.link_resent").count() == 1
    staff_client.post(reverse("prepayments:resend", args=[booking.pk]))
    # a second resend is a message of its own, not swallowed by the first one's key
    assert Message.objects.count() >= before + 1


def test_extend_moves_the_deadline_and_the_auto_cancel(staff_client, booking) -> None:
    old = booking.expires_at
    response = staff_client.post(reverse("prepayments:extend", args=[booking.pk]), {"hours": "6"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.expires_at == old + timedelta(hours=6)
    if booking.auto_cancel_at is not None:
        assert booking.auto_cancel_at <= booking.visit.starts_at
    assert AuditLog.objects.filter(action="booking.extended").count() == 1


@pytest.mark.parametrize(
    ("hours", "language", "error"),
    [
        ("abc", "en", "Enter a whole number"),
        ("0", "en", "greater than or equal to 1"),
        ("100", "en", "at most until"),
        ("100", "uk", "щонайдовше до"),
        ("-5", "uk", "1"),
    ],
)
def test_a_wrong_extension_is_a_field_error_and_changes_nothing(
    staff_client, booking, hours, language, error
) -> None:
    old = booking.expires_at
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = staff_client.post(reverse("prepayments:extend", args=[booking.pk]), {"hours": hours})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="extend-error"' in html and error in html
    assert 'aria-invalid="true"' in html
    booking.refresh_from_db()
    assert booking.expires_at == old
    assert not AuditLog.objects.filter(action="booking.extended").exists()


def test_no_link_actions_once_the_booking_is_paid_or_cancelled(staff_client, booking) -> None:
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    html = _page(staff_client, booking, "en")
    assert 'data-testid="link-actions"' not in html
    before = Message.objects.count()
    response = staff_client.post(reverse("prepayments:resend", args=[booking.pk]), follow=True)
    assert "no longer awaiting payment" in response.content.decode()
    assert Message.objects.count() == before
    response = staff_client.post(reverse("prepayments:extend", args=[booking.pk]), {"hours": "2"})
    assert response.status_code == 400
    booking.refresh_from_db()
    assert not AuditLog.objects.filter(action="booking.extended").exists()


def test_another_organizations_booking_is_404(client, other_org, booking) -> None:
    from tests.factories import make_staff
    from zapys.accounts.models import User

    stranger = make_staff(other_org, User.Role.OWNER, username="stranger")
    client.force_login(stranger)
    assert client.post(reverse("prepayments:resend", args=[booking.pk])).status_code == 404
    assert (
        client.post(reverse("prepayments:extend", args=[booking.pk]), {"hours": 2}).status_code
        == 404
    )
    assert client.get(reverse("prepayments:detail", args=[booking.pk])).status_code == 404
