"""The client moves their own visit from the booking's link (X3): the same specialist's free
times, the cancellation policy's free window, once per visit, a paid booking only; bad or
stale input changes nothing; another organization's booking is never reached."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_branch, make_org, make_staff
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_paid_booking,
    make_visit,
)
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.payments.sandbox import sandbox_charge
from zapys.payments.services import payment_succeed
from zapys.prepayments import client_move, services
from zapys.prepayments.models import Booking
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_cancel
from zapys.schedule.services.hours import staff_hours_set


@pytest.fixture
def ready(org, branch):
    branch.phone = "+380441234567"
    branch.address = "вул. Сагайдачного, 10"
    branch.save(update_fields=["phone", "address"])
    enable_prepayment(org)
    services.policy_presets_ensure(org)  # Moderate: free up to 24 hours before
    make_booking_type(org, "fixed", 20_000)
    specialist = make_staff(org, "specialist", branches=[branch], first_name="Ірина")
    staff_hours_set(
        staff=specialist,
        branch=branch,
        intervals=[(day, time(9), time(19)) for day in range(7)],
        actor=SYSTEM,
    )
    return specialist


#: The organizations' zone (the tests' organizations keep the default).
ZONE = ZoneInfo(django_settings.TIME_ZONE)


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time of the organization, `days` from today."""
    day = timezone.now().astimezone(ZONE).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def _paid(org, branch, specialist, *, starts_at: datetime) -> Booking:
    """A visit at `starts_at` exactly with its prepayment paid by card (the sandbox)."""
    booking = make_booking(
        org, branch, visit=make_visit(org, branch, staff=specialist, starts_at=starts_at)
    )
    assert booking.payment is not None
    payment = booking.payment
    sandbox_charge(
        account=payment.account,
        payload={"order_id": payment.order_id, "amount": payment.amount, "currency": "UAH"},
        success=True,
    )
    payment_succeed(payment=payment, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PAID
    return booking


def _url(booking: Booking, query: str = "") -> str:
    return f"/p/{booking.token}/move/{query}"


def _slot(moment: datetime) -> str:
    """The page's value of a time (its ISO form in the organization's zone)."""
    return moment.astimezone(ZONE).isoformat()


def _q(moment: datetime) -> str:
    """The value as the page's links carry it (a «+» in an address is a space)."""
    return quote(_slot(moment))


def _start(booking: Booking) -> datetime:
    return Visit.objects.get(pk=booking.visit_id).starts_at


def test_happy_path_moves_the_visit_and_keeps_the_prepayment(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    new = _at(4, 15)
    page = client.get(_url(booking, f"?date={new.date().isoformat()}"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "вул. Сагайдачного, 10" in text and "Ірина" in text
    assert 'data-testid="move-rules"' in text and "один раз" in text
    assert "15:00" in text and 'data-testid="slot-option"' in text
    confirm = client.get(_url(booking, f"?slot={_q(new)}"))
    assert 'data-testid="move-confirm"' in confirm.content.decode()
    done = client.post(_url(booking), {"slot": _slot(new)})
    text = done.content.decode()
    assert done.status_code == 200
    assert "Запис перенесено:" in text and "о 15:00" in text
    assert _start(booking) == new
    booking.refresh_from_db()
    assert booking.status == "paid" and booking.visit_id == booking.visit.pk
    row = AuditLog.objects.get(action="visit.reschedule", object_id=str(booking.visit_id))
    assert row.actor_kind == AuditLog.ActorKind.CLIENT_LINK
    with translation.override("uk"):
        read = audit_rows_read([row])[0]
    # staff read who moved it, from when to when, in words
    assert (read.action, read.actor) == ("Візит перенесено", "Клієнт за посиланням")
    start = next(c for c in read.changes if c.old is not None and "10:00" in c.old)
    assert "15:00" in start.new and "+00" not in start.old + start.new


def test_a_visit_is_moved_online_once(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    client.post(_url(booking), {"slot": _slot(_at(4, 15))})
    again = client.post(_url(booking), {"slot": _slot(_at(5, 11))})
    assert again.status_code == 409
    assert 'data-reason="moved"' in again.content.decode()
    assert _start(booking) == _at(4, 15)


def test_outside_the_free_window_says_why_and_whom_to_call(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=timezone.now() + timedelta(hours=5))
    before = _start(booking)
    page = client.get(_url(booking)).content.decode()
    assert 'data-reason="window"' in page and "24 години" in page
    assert 'href="tel:+380441234567"' in page
    refused = client.post(_url(booking), {"slot": _slot(_at(4, 15))})
    assert refused.status_code == 409
    assert _start(booking) == before
    assert not AuditLog.objects.filter(action="visit.reschedule").exists()


def test_a_past_visit_cannot_be_moved(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    past = timezone.now() - timedelta(hours=2)
    Visit.objects.filter(pk=booking.visit_id).update(
        starts_at=past, ends_at=past + timedelta(hours=1)
    )
    page = client.get(_url(booking)).content.decode()
    assert 'data-reason="started"' in page
    assert client.post(_url(booking), {"slot": _slot(_at(4, 15))}).status_code == 409
    assert _start(booking) == past


def test_a_cancelled_visit_cannot_be_moved(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    visit_cancel(visit=booking.visit, actor=SYSTEM, options={"by": "staff"})
    page = client.get(_url(booking)).content.decode()
    assert 'data-reason="cancelled"' in page
    assert client.post(_url(booking), {"slot": _slot(_at(4, 15))}).status_code == 409
    assert _start(booking) == _at(3, 10)


def test_an_unpaid_booking_is_refused_with_the_way_to_pay(client, org, branch, ready):
    visit = make_visit(org, branch, staff=ready, starts_at=_at(3, 10))
    booking = make_booking(org, branch, visit=visit)
    assert booking.status == "pending"
    page = client.get(_url(booking)).content.decode()
    assert 'data-reason="unpaid"' in page and f"/p/{booking.token}/" in page
    assert client.post(_url(booking), {"slot": _slot(_at(4, 15))}).status_code == 409
    assert _start(booking) == _at(3, 10)
    booking.refresh_from_db()
    assert booking.expires_at <= _at(3, 10)


def test_a_time_taken_meanwhile_is_refused_and_nothing_changes(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    new = _at(4, 15)
    assert _q(new) in client.get(_url(booking, f"?date={new.date()}")).content.decode()
    make_visit(org, branch, staff=ready, starts_at=new)  # someone else booked it
    refused = client.post(_url(booking), {"slot": _slot(new)})
    text = refused.content.decode()
    assert refused.status_code == 409 and 'data-testid="slot-error"' in text
    assert 'data-testid="slot-option"' in text  # the day's other times
    assert _start(booking) == _at(3, 10)
    assert not AuditLog.objects.filter(action="visit.reschedule").exists()


def test_taken_between_the_read_and_the_lock(client, org, branch, ready, monkeypatch):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    new = _at(4, 15)
    make_visit(org, branch, staff=ready, starts_at=new)
    # the page's read still saw the time free: the service's own check refuses it
    monkeypatch.setattr(
        client_move,
        "_day_slots",
        lambda *a, **k: [{"start": new.astimezone(ZONE), "value": _slot(new)}],
    )
    refused = client.post(_url(booking), {"slot": _slot(new)})
    assert refused.status_code == 409 and 'data-testid="slot-error"' in refused.content.decode()
    assert _start(booking) == _at(3, 10)


def test_times_outside_the_hours_or_forged_are_refused(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    for value in (_slot(_at(4, 22)), "not-a-time", "9999-12-31T23:59:59-14:00", _slot(_at(-1, 12))):
        response = client.post(_url(booking), {"slot": value})
        assert response.status_code == 409, value
        assert 'data-testid="slot-error"' in response.content.decode()
    assert _start(booking) == _at(3, 10)


def test_forged_token_is_a_404_and_nothing_changes(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    assert client.get("/p/forged-token/move/").status_code == 404
    assert client.post("/p/forged-token/move/", {"slot": _slot(_at(4, 15))}).status_code == 404
    assert client.get(f"/p/{'a' * 100}/move/").status_code == 404
    assert _start(booking) == _at(3, 10)


def test_token_misses_are_limited_like_the_cancel_page(client, settings, org):
    settings.ZAPYS_TOKEN_MISSES_PER_MINUTE = 2
    codes = [client.get(f"/p/guess{i}/move/").status_code for i in range(4)]
    assert codes[:2] == [404, 404] and codes[-1] == 429


def test_another_organization_is_never_reached(client, org, branch, ready):
    ours = _paid(org, branch, ready, starts_at=_at(3, 10))
    other = make_org("Salon B")
    with org_scope(other):
        other_branch = make_branch(other, "Other")
        enable_prepayment(other)
        make_booking_type(other, "fixed", 10_000)
        theirs = make_paid_booking(other, other_branch, hours=72)
        their_start = Visit.objects.get(pk=theirs.visit_id).starts_at
    # the other salon's link shows its own visit, never ours, and moves nothing of ours
    page = client.get(_url(theirs)).content.decode()
    assert "Salon B" in page and "Ірина" not in page and "Сагайдачного" not in page
    client.post(_url(theirs), {"slot": _slot(_at(4, 15))})
    assert _start(ours) == _at(3, 10)
    with org_scope(other):
        assert Visit.objects.get(pk=theirs.visit_id).starts_at == their_start


def test_query_count_does_not_grow_with_the_free_times(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    busy_day, free_day = _at(5, 9), _at(6, 9)
    for hour in (9, 11, 13, 15):  # the busy day keeps only a few free times
        make_visit(org, branch, staff=ready, starts_at=_at(5, hour), client=make_client(org))
    client.get(_url(booking))  # the first request fills the process's caches
    counts = []
    shown = []
    for day in (busy_day, free_day):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(_url(booking, f"?date={day.date()}")).content.decode()
        counts.append(len(queries))
        shown.append(page.count('data-testid="slot-option"'))
    assert shown[0] < shown[1]
    assert counts[0] == counts[1]


def test_english_page(client, org, branch, ready):
    services.prepayment_settings_update(organization=org, actor=SYSTEM, page_language="en")
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    page = client.get(_url(booking)).content.decode()
    assert "Move the visit" in page and "can be moved online once" in page
    done = client.post(_url(booking), {"slot": _slot(_at(4, 15))}).content.decode()
    assert "The visit is moved:" in done and "at 15:00" in done


def test_the_links_to_the_page(client, org, branch, ready):
    booking = _paid(org, branch, ready, starts_at=_at(3, 10))
    move = f'href="/p/{booking.token}/move/"'
    assert move in client.get(f"/p/{booking.token}/").content.decode()
    assert move in client.get(f"/p/{booking.token}/cancel/").content.decode()


def test_the_cabinet_offers_moving_a_prepaid_visit_next_to_cancelling(client, org, branch, ready):
    customer = make_client(org)
    paid = make_booking(org, branch, visit=make_visit(org, branch, staff=ready, client=customer))
    sandbox_charge(
        account=paid.payment.account,
        payload={
            "order_id": paid.payment.order_id,
            "amount": paid.payment.amount,
            "currency": "UAH",
        },
        success=True,
    )
    payment_succeed(payment=paid.payment, actor=SYSTEM)
    pending = make_booking(org, branch, visit=make_visit(org, branch, staff=ready, client=customer))
    client.cookies["django_language"] = "uk"
    html = client.get(f"/c/{customer.cabinet_token}/").content.decode()
    assert html.count('data-testid="cancel-visit"') == 2
    # the unpaid one is moved by a call: its deadline follows the start
    assert html.count('data-testid="move-visit"') == 1
    assert f'href="/p/{paid.token}/move/"' in html and "Перенести запис" in html
    assert f"/p/{pending.token}/move/" not in html
