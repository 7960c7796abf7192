"""Cancellation policy (X3), cancelling a visit that holds money (V2), short-notice
bookings (V3): services, API and pages, with the bad input that must change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_staff
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_paid_booking,
    make_visit,
)
from zapys.clients.models import Tag
from zapys.core.exceptions import Conflict, DomainError
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.messaging.models import Message
from zapys.prepayments import selectors, services, sweeps
from zapys.prepayments.models import Booking, CancellationPolicy, Fee
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_cancel, visit_status_set
from zapys.schedule.services.statuses import status_first


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    services.policy_presets_ensure(org)
    return make_booking_type(org, "fixed", 20_000)


def _paid(org, branch, *, hours: float = 48, **kw) -> Booking:
    return make_paid_booking(org, branch, hours=hours, **kw)


def _fresh(visit: Visit) -> Visit:
    return Visit.objects.select_related("status").get(pk=visit.pk)


# --------------------------------------------------------------------------- policies


def test_presets_seeded_once_with_moderate_the_default(org, ready):
    first = services.policy_presets_ensure(org)
    again = services.policy_presets_ensure(org)
    assert [p.pk for p in first] == [p.pk for p in again]
    assert {p.preset for p in first} == {"flexible", "moderate", "strict"}
    default = services.prepayment_settings_get(org).cancellation_policy
    assert default is not None and default.preset == "moderate"
    assert (default.free_cancel_hours, default.late_cancel_fee_percent) == (24, 30)


def test_policy_text_in_both_languages_and_snapshotted(org, branch, ready):
    policy = services.prepayment_settings_get(org).cancellation_policy
    assert policy is not None
    en = selectors.policy_text(policy, "en")
    uk = selectors.policy_text(policy, "uk")
    assert "24 hours" in en and "30%" in en and "balance" in en
    assert "24 години" in uk and "30%" in uk
    booking = make_booking(org, branch)
    snap = booking.terms_snapshot["policy"]
    assert snap["name"] == policy.name and snap["text"] == {"uk": uk, "en": en}
    # later edits do not change what the client was shown
    services.cancellation_policy_update(policy=policy, actor=SYSTEM, late_cancel_fee_percent=90)
    booking.refresh_from_db()
    assert booking.terms_snapshot["policy"]["late_cancel_fee_percent"] == 30


def test_bad_policy_is_a_field_error_and_nothing_is_written(org, ready):
    before = CancellationPolicy.objects.count()
    for fields, field in (
        ({"name": "X", "late_cancel_fee_percent": 101}, "late_cancel_fee_percent"),
        ({"name": "X", "no_show_fee_percent": 250}, "no_show_fee_percent"),
        ({"name": "  "}, "name"),
        ({"name": "X", "free_cancel_hours": 10_000}, "free_cancel_hours"),
        ({"name": "X", "fee_base": "card"}, "fee_base"),
    ):
        with pytest.raises(DomainError) as exc:
            services.cancellation_policy_create(organization=org, actor=SYSTEM, **fields)
        assert exc.value.errors[0]["field"] == field
    assert CancellationPolicy.objects.count() == before


def test_override_order_booking_type_then_service_then_default(org, branch, ready):
    strict = CancellationPolicy.objects.get(preset="strict")
    flexible = CancellationPolicy.objects.get(preset="flexible")
    visit = make_visit(org, branch)
    assert selectors.policy_for_visit(visit).preset == "moderate"
    flexible.services.add(visit.service)
    assert selectors.policy_for_visit(visit).pk == flexible.pk
    typed = make_booking_type(org, "fixed", 10_000)
    typed.cancellation_policy = strict
    typed.save()
    booking = make_booking(org, branch, visit=visit, booking_type=typed)
    assert selectors.policy_for_visit(visit, booking).pk == strict.pk
    assert booking.terms_snapshot["policy"]["id"] == strict.pk


# --------------------------------------------------------------------------- V2


def test_cancel_inside_the_window_is_free_and_the_money_stays(org, branch, ready):
    booking = _paid(org, branch, hours=48)
    visit = visit_cancel(visit=booking.visit, actor=SYSTEM, options={"by": "staff"})
    result = visit.status_effects["cancellation"]
    assert result["fee"] == 0 and result["kept"] == 0
    assert result["to_balance"] == 20_000 and result["refunded"] == 0
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_by == "staff"
    assert client_balance(booking.client) == 20_000
    assert not Fee.objects.exists()
    message = Message.objects.get(idempotency_key=f"booking:{booking.pk}:cancelled-money")
    assert "200,00" in message.text and "баланс" in message.text


def test_cancel_outside_the_window_charges_the_fee_and_keeps_the_rest(org, branch, ready):
    booking = _paid(org, branch, hours=3)
    visit = visit_cancel(visit=booking.visit, actor=SYSTEM)
    result = visit.status_effects["cancellation"]
    assert (result["fee"], result["kept"], result["to_balance"]) == (6_000, 6_000, 14_000)
    assert result["policy_snapshot"]["late_cancel_fee_percent"] == 30
    fee = Fee.objects.get()
    assert (fee.kind, fee.state, fee.amount) == ("late_cancel", "charged", 6_000)
    entry = Entry.objects.get(pk=fee.entry_id_charged)
    assert (entry.kind, entry.purpose, entry.amount) == ("credit", "fee", 6_000)
    assert client_balance(booking.client) == 14_000
    booking.refresh_from_db()
    assert (booking.cancel_kept, booking.cancel_to_balance) == (6_000, 14_000)
    text = Message.objects.get(idempotency_key=f"booking:{booking.pk}:cancelled-money").text
    assert "60,00" in text and "140,00" in text


def test_waiver_needs_a_reason_and_without_one_nothing_changes(org, branch, ready):
    booking = _paid(org, branch, hours=3)
    with pytest.raises(DomainError) as exc:
        visit_cancel(visit=booking.visit, actor=SYSTEM, options={"waive_fee": True})
    assert exc.value.errors[0]["field"] == "reason"
    booking.refresh_from_db()
    assert booking.status == "paid" and _fresh(booking.visit).blocks_time
    assert not Fee.objects.exists() and client_balance(booking.client) == 20_000
    visit = visit_cancel(
        visit=booking.visit, actor=SYSTEM, options={"waive_fee": True, "reason": "ill child"}
    )
    fee = Fee.objects.get()
    assert (fee.state, fee.waive_reason) == ("waived", "ill child")
    assert visit.status_effects["cancellation"]["to_balance"] == 20_000
    assert client_balance(booking.client) == 20_000


def test_exempt_tag_pays_no_fee(org, branch, ready):
    vip = Tag.objects.create(organization=org, name="VIP")
    policy = CancellationPolicy.objects.get(preset="moderate")
    policy.exempt_tags.add(vip)
    client = make_client(org)
    client.tags.add(vip)
    booking = _paid(org, branch, hours=3, client=client)
    visit = visit_cancel(visit=booking.visit, actor=SYSTEM)
    assert visit.status_effects["cancellation"]["fee"] == 0
    assert client_balance(client) == 20_000


def test_cancelling_a_cancelled_visit_is_409_and_changes_nothing(org, branch, ready):
    booking = _paid(org, branch, hours=3)
    visit_cancel(visit=booking.visit, actor=SYSTEM)
    fees, entries = Fee.objects.count(), Entry.objects.count()
    with pytest.raises(Conflict):
        visit_cancel(visit=_fresh(booking.visit), actor=SYSTEM)
    assert (Fee.objects.count(), Entry.objects.count()) == (fees, entries)


def test_refund_goes_through_the_provider_after_commit(
    org, branch, ready, sandbox_in_process, django_capture_on_commit_callbacks
):
    policy = CancellationPolicy.objects.get(preset="moderate")
    services.cancellation_policy_update(policy=policy, actor=SYSTEM, late_cancel_rest="refund")
    booking = _paid(org, branch, hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_cancel(visit=booking.visit, actor=SYSTEM)
    result = visit.status_effects["cancellation"]
    assert (result["kept"], result["refunded"], result["to_balance"]) == (6_000, 14_000, 0)
    assert booking.payment is not None
    booking.payment.refresh_from_db()
    assert booking.payment.refunded_amount == 14_000
    assert client_balance(booking.client) == 0


def test_unpaid_booking_dies_with_its_visit(org, branch, ready):
    booking = make_booking(org, branch)
    visit_cancel(visit=booking.visit, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "cancelled" and not Fee.objects.exists()
    assert booking.payment is not None
    booking.payment.refresh_from_db()
    assert booking.payment.status == "expired"


# --------------------------------------------------------------------------- no-shows


def test_no_show_fee_waits_for_review_then_is_charged_once(org, branch, ready):
    booking = _paid(org, branch, hours=3)
    visit = visit_status_set(
        visit=booking.visit, status=status_first(org, is_no_show=True), actor=SYSTEM
    )
    fee = visit.status_effects["fee"]
    assert (fee.state, fee.amount) == ("pending", 10_000)  # moderate: 50% of 200.00
    assert services.fees_charge_due(timezone.now()) == 0
    later = timezone.now() + timedelta(hours=25)
    assert services.fees_charge_due(later) == 1
    assert services.fees_charge_due(later) == 0
    fee.refresh_from_db()
    assert fee.state == "charged" and client_balance(booking.client) == 10_000
    # a charged fee waived: its charge is cancelled in the ledger
    services.fee_waive(fee=fee, actor=SYSTEM, reason="came, marked by mistake")
    assert client_balance(booking.client) == 20_000
    with pytest.raises(Conflict):
        services.fee_waive(fee=fee, actor=SYSTEM, reason="again")


# --------------------------------------------------------------------------- V3


def test_deadline_set_by_the_start_and_auto_cancel_never_after_it(org, branch, ready):
    services.prepayment_settings_update(
        organization=org,
        actor=SYSTEM,
        release_before_start_minutes=60,
        auto_cancel_after_minutes=90,
    )
    now = timezone.now()
    visit = make_visit(org, branch, starts_at=now + timedelta(hours=4))
    booking = make_booking(org, branch, visit=visit, now=now)
    assert booking.deadline_reason == "before_start"
    assert booking.expires_at == visit.starts_at - timedelta(minutes=60)
    assert booking.auto_cancel_at == visit.starts_at  # 60 + 90 minutes would be after
    far = make_booking(org, branch, now=now)  # two days ahead: the lifetime (24 h) wins
    assert far.deadline_reason == "lifetime"
    assert far.expires_at == now + timedelta(hours=24)


def test_too_little_time_to_pay_is_refused_and_the_desk_offered(org, branch, ready):
    now = timezone.now()
    visit = make_visit(org, branch, starts_at=now + timedelta(minutes=70))
    with pytest.raises(Conflict) as exc:
        make_booking(org, branch, visit=visit, now=now)
    assert exc.value.extra["too_late_to_pay"] is True
    assert Booking.objects.count() == 0
    services.visit_pay_at_desk(visit=visit, actor=SYSTEM)
    assert Booking.objects.count() == 0
    # The choice is on the visit, not only in the audit log: the card and calendar say it.
    assert _fresh(visit).booking_state == "at_desk"
    with translation.override("uk"):
        assert _fresh(visit).get_booking_state_display() == "Оплата на рецепції"


def test_the_visit_card_says_the_payment_is_taken_at_the_desk(org, branch, ready, client):
    now = timezone.now()
    visit = make_visit(org, branch, starts_at=now + timedelta(minutes=70))
    services.visit_pay_at_desk(visit=visit, actor=SYSTEM)
    client.force_login(make_staff(org))
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/visits/{visit.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "To be paid at the desk" in text
    # the visit is today: the card's money is the checkout, where the desk takes it, not a
    # prepayment to ask for (docs/architecture.md, "The visit card's money")
    assert 'data-testid="checkout-slot"' in text
    assert "Request prepayment" not in text and "Open prepayment" not in text
    # days ahead, a link can still be asked for after all
    ahead = make_visit(org, branch, starts_at=now + timedelta(days=3))
    services.visit_pay_at_desk(visit=ahead, actor=SYSTEM)
    text = client.get(f"/visits/{ahead.pk}/").content.decode()
    assert "To be paid at the desk" in text and "Request prepayment" in text
    assert 'data-testid="checkout-slot"' not in text


def test_sweep_does_not_auto_cancel_a_visit_that_has_started(org, branch, ready):
    now = timezone.now()
    visit = make_visit(org, branch, starts_at=now + timedelta(hours=3))
    booking = make_booking(org, branch, visit=visit, now=now)
    # the worker was down past the start: the booking expires but the visit stays
    sweeps.sweep(visit.starts_at + timedelta(minutes=5))
    booking.refresh_from_db()
    assert booking.status == "expired"
    assert _fresh(visit).blocks_time
