"""The booking lifecycle (B4): create → pay → or expire → auto-cancel; races; late money."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_paid_booking,
    make_service,
    make_visit,
)
from zapys.clients.models import Tag
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.ledger.models import FinancialOperation, SalesReceipt
from zapys.ledger.selectors import client_balance, entries_for_cause
from zapys.ledger.services import entry_create
from zapys.messaging.models import Message, StaffNotification
from zapys.payments.models import Payment
from zapys.payments.sandbox import sandbox_charge
from zapys.payments.services import payment_create, payment_succeed
from zapys.prepayments import selectors, services, sweeps
from zapys.prepayments.models import Booking
from zapys.prepayments.selectors import report_totals
from zapys.prepayments.tests.visit_words import visit_words
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_cancel, visit_statuses_ensure


@pytest.fixture
def setup(org, branch):
    statuses = visit_statuses_ensure(organization=org)
    enable_prepayment(org, status_after_payment=statuses["confirmed"])
    booking_type = make_booking_type(org, "fixed", 20_000, name="Deposit")
    return {"statuses": statuses, "type": booking_type}


def _pay(booking: Booking, payment: Payment | None = None) -> Payment:
    payment = payment or booking.payment
    assert payment is not None
    payment.refresh_from_db()
    payment_succeed(payment=payment, actor=SYSTEM)
    booking.refresh_from_db()
    return payment


def test_amount_rules(org, branch, setup):
    service = make_service(org, price=100_000, minutes=90)
    visit = make_visit(org, branch, service=service)
    assert selectors.booking_amount(visit=visit, booking_type=setup["type"]) == 20_000
    pct = make_booking_type(org, "percent", 15)
    assert selectors.booking_amount(visit=visit, booking_type=pct) == 15_000
    hourly = make_booking_type(org, "hourly", 0)  # specialist 600.00/h × 1.5 h
    assert selectors.booking_amount(visit=visit, booking_type=hourly) == 90_000
    too_much = make_booking_type(org, "fixed", 150_000)
    with pytest.raises(DomainError, match="more than"):
        selectors.booking_amount(visit=visit, booking_type=too_much)
    free = make_visit(org, branch, service=make_service(org, price=0))
    with pytest.raises(DomainError, match="0"):
        selectors.booking_amount(visit=free, booking_type=pct)
    with pytest.raises(DomainError):
        make_booking_type(org, "percent", 0)
    with pytest.raises(DomainError):
        make_booking_type(org, "fixed", -5)


def test_create_booking_sends_link_and_shows_grey_clock(org, branch, setup):
    booking = make_booking(org, branch)
    assert booking.status == "pending" and booking.amount == 20_000
    assert len(booking.token) >= 22  # ≥128 bits
    visit = Visit.objects.get(pk=booking.visit_id)
    assert visit.booking_state == "pending"
    payment = Payment.objects.get(pk=booking.payment_id)
    assert payment.purpose == "prepayment" and payment.amount == 20_000
    assert payment.purpose_id == str(booking.pk)
    link = Message.objects.get(idempotency_key=f"booking:{booking.pk}:link")
    assert booking.payment_url in link.text
    # the default template speaks the organization's language (Ukrainian by default)
    assert "внесіть передоплату" in link.text
    assert link.related_id == str(booking.pk)
    assert booking.terms_snapshot["agreement_text"].startswith("Prepayment is kept")
    assert booking.auto_cancel_at == booking.expires_at  # delay 0


def test_second_booking_for_visit_is_409_naming_the_first(org, branch, setup):
    booking = make_booking(org, branch)
    with pytest.raises(Conflict) as exc:
        services.booking_create(visit=booking.visit, actor=SYSTEM)
    assert exc.value.extra["booking"]["id"] == booking.pk
    assert exc.value.extra["code"] == services.BOOKING_ACTIVE
    with translation.override("uk"), pytest.raises(Conflict) as exc:
        services.booking_create(visit=booking.visit, actor=SYSTEM)
    # said in words, the booking named by a field only
    assert exc.value.detail.startswith("На цей візит уже чекає оплата передоплати")
    assert str(booking.pk) not in exc.value.detail
    assert Booking.objects.count() == 1


def test_a_paid_prepayment_is_said_paid_when_asked_again(org, branch, setup):
    booking = make_paid_booking(org, branch)
    with translation.override("uk"), pytest.raises(Conflict) as exc:
        services.booking_create(visit=booking.visit, actor=SYSTEM)
    assert exc.value.detail == "Передоплату за цей візит уже сплачено."
    assert exc.value.extra["code"] == "booking_active"
    assert exc.value.extra["booking"]["status"] == Booking.Status.PAID
    assert Booking.objects.count() == 1


def test_no_booking_for_cancelled_or_past_visit(org, branch, setup):
    visit = make_visit(org, branch)
    visit_cancel(visit=visit, actor=SYSTEM)
    with pytest.raises(Conflict):
        services.booking_create(visit=visit, actor=SYSTEM)
    past = make_visit(org, branch, starts_at=timezone.now() - timedelta(hours=3))
    with pytest.raises(DomainError, match="passed"):
        services.booking_create(visit=past, actor=SYSTEM)
    assert Booking.objects.count() == 0 and Payment.objects.count() == 0


def test_disabled_prepayment_refuses(org, branch):
    visit = make_visit(org, branch)
    with pytest.raises(DomainError, match="switched off"):
        services.booking_create(visit=visit, actor=SYSTEM)


def test_payment_marks_paid_and_does_everything(org, branch, setup):
    booking = make_booking(org, branch)
    _pay(booking)
    assert booking.status == "paid" and booking.paid_at and not booking.paid_late
    visit = Visit.objects.select_related("status").get(pk=booking.visit_id)
    assert visit.booking_state == "paid"
    assert visit.status.code == "confirmed"
    assert client_balance(booking.client) == 20_000
    entries = list(entries_for_cause(booking).values_list("kind", "purpose", "amount"))
    assert entries == [("debit", "prepayment", 20_000)]
    assert FinancialOperation.objects.filter(cause_id=str(booking.pk), kind="income").count() == 1
    assert SalesReceipt.objects.filter(cause_id=str(booking.pk)).count() == 1
    assert StaffNotification.objects.filter(related_id=str(booking.pk)).exists()
    assert Message.objects.filter(idempotency_key=f"booking:{booking.pk}:paid").count() == 1
    # the callback replayed changes nothing
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    assert client_balance(booking.client) == 20_000


def test_expiry_and_auto_cancel_by_tick(org, branch, setup):
    services.prepayment_settings_update(
        organization=org, actor=SYSTEM, auto_cancel_after_minutes=30, link_lifetime_hours=2
    )
    booking = make_booking(org, branch)
    at_expiry = booking.expires_at + timedelta(seconds=1)
    result = sweeps.sweep(at_expiry)
    assert (result.expired, result.cancelled) == (1, 0)
    booking.refresh_from_db()
    assert booking.status == "expired"
    visit = Visit.objects.get(pk=booking.visit_id)
    assert visit.booking_state == "expired" and visit.blocks_time
    assert Message.objects.filter(idempotency_key=f"booking:{booking.pk}:expired").count() == 1
    result = sweeps.sweep(at_expiry + timedelta(minutes=31))
    assert result.cancelled == 1
    booking.refresh_from_db()
    visit.refresh_from_db()
    assert booking.status == "cancelled"
    assert not visit.blocks_time and visit.status.is_cancellation and visit.status.is_system
    assert visit.attendances.get().state == "cancelled"
    cancelled = Message.objects.get(idempotency_key=f"booking:{booking.pk}:cancelled")
    assert "скасовано" in cancelled.text  # sweeps render in the organization's language too
    # every move is in the audit log, attributed to the scheduler and this organization
    logged = AuditLog.objects.filter(actor_kind="scheduler", actor_label="prepayments.sweep")
    # The visit's and the attendance's rows are written by the schedule's bulk services (the
    # sweep used to update them itself, leaving no attendance or clock row).
    attendance = visit.attendances.get()
    assert sorted(logged.values_list("action", "object_type", "object_id", "object_repr")) == [
        (
            "attendance.mark",
            "schedule.attendance",
            str(attendance.pk),
            f"Attendance #{attendance.pk}",
        ),
        (
            "booking.auto_cancelled",
            "prepayments.booking",
            str(booking.pk),
            f"Booking #{booking.pk}",
        ),
        ("booking.expired", "prepayments.booking", str(booking.pk), f"Booking #{booking.pk}"),
        ("visit.booking_state", "schedule.visit", str(visit.pk), f"Visit #{visit.pk}"),
        ("visit.status", "schedule.visit", str(visit.pk), f"Visit #{visit.pk}"),
    ]
    assert set(logged.values_list("organization_id", flat=True)) == {org.pk}
    assert logged.get(action="booking.expired").changes == {"status": ["pending", "expired"]}


def test_late_payment_after_cancel_goes_to_balance_then_restore(org, branch, setup):
    # An English-speaking salon: the staff notification below is written in its language.
    org.language = "en"
    org.save(update_fields=["language"])
    booking = make_booking(org, branch)
    sweeps.sweep(booking.expires_at + timedelta(minutes=1))
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    _pay(booking)
    assert booking.status == "cancelled" and booking.paid_late
    assert client_balance(booking.client) == 20_000
    assert StaffNotification.objects.filter(
        related_id=str(booking.pk), level="warning", title__icontains="after the deadline"
    ).exists()
    services.booking_restore(booking=booking, actor=SYSTEM)
    booking.refresh_from_db()
    visit = Visit.objects.get(pk=booking.visit_id)
    assert booking.status == "paid" and booking.late_resolution == "restored"
    assert visit.blocks_time and visit.booking_state == "paid"


def test_restore_refused_when_slot_taken(org, branch, setup):
    booking = make_booking(org, branch)
    sweeps.sweep(booking.expires_at + timedelta(minutes=1))
    visit = Visit.objects.get(pk=booking.visit_id)
    make_visit(org, branch, staff=visit.staff, starts_at=visit.starts_at)
    _pay(booking)
    with pytest.raises(Conflict):
        services.booking_restore(booking=booking, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_paying_twice_credits_the_second_to_balance(org, branch, setup):
    booking = make_booking(org, branch)
    second = payment_create(
        organization=org,
        account=None,
        purpose="prepayment",
        purpose_object=booking,
        client=booking.client,
        amount=booking.amount,
        currency="UAH",
        description="tab 2",
        actor=SYSTEM,
    )
    _pay(booking)
    _pay(booking, second)
    assert booking.status == "paid" and booking.extra_payments == 1
    assert client_balance(booking.client) == 40_000


def test_callback_versus_sweep_exactly_one_wins(org, branch, setup):
    # sweep first: the callback becomes late money
    a = make_booking(org, branch)
    sweeps.sweep(a.expires_at)
    _pay(a)
    assert a.status == "cancelled" and a.paid_late
    # callback first: the sweep finds nothing to do
    b = make_booking(org, branch)
    _pay(b)
    result = sweeps.sweep(b.expires_at + timedelta(hours=1))
    assert result.expired == 0 and result.cancelled == 0
    b.refresh_from_db()
    assert b.status == "paid" and not b.paid_late
    assert Visit.objects.get(pk=b.visit_id).blocks_time


def test_worker_down_for_an_hour_catches_up_once(org, branch, setup):
    services.prepayment_settings_update(
        organization=org, actor=SYSTEM, link_lifetime_hours=1, auto_cancel_after_minutes=10
    )
    now = timezone.now()
    bookings = [make_booking(org, branch, now=now + timedelta(minutes=i)) for i in range(3)]
    later = now + timedelta(hours=2)
    result = sweeps.sweep(later)
    assert (result.expired, result.cancelled) == (3, 3)
    assert set(Booking.objects.values_list("status", flat=True)) == {"cancelled"}
    count = Message.objects.count()
    again = sweeps.sweep(later + timedelta(minutes=5))
    assert (again.expired, again.cancelled, again.messages) == (0, 0, 0)
    assert Message.objects.count() == count
    assert all(
        Message.objects.filter(idempotency_key=f"booking:{b.pk}:cancelled").count() == 1
        for b in bookings
    )


def test_tick_command_runs_the_sweep(org, branch, setup):
    booking = make_booking(org, branch)
    call_command("tick", "--now", (booking.expires_at + timedelta(minutes=1)).isoformat())
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    # the messages the sweep queued went out in the same tick (the outbox runs last), and
    # none waits for the real clock to reach the simulated time
    told = Message.objects.filter(idempotency_key__startswith=f"booking:{booking.pk}:")
    assert {m.idempotency_key.rsplit(":", 1)[1] for m in told} >= {"expired", "cancelled"}
    assert {m.status for m in told} <= {"sent", "delivered"}
    assert all(m.next_attempt_at is None or m.next_attempt_at <= timezone.now() for m in told)


def test_sweep_queries_are_constant_per_batch(org, branch, setup, monkeypatch):
    def run(n):
        made = [make_booking(org, branch) for _ in range(n)]
        when = max(b.expires_at for b in made) + timedelta(minutes=1)
        with CaptureQueriesContext(connection) as ctx:
            result = sweeps.sweep(when)
        assert (result.expired, result.cancelled) == (n, n)
        return len(ctx)

    assert run(2) == run(6)  # one batch: the same queries whatever its size
    monkeypatch.setattr(sweeps, "BATCH_SIZE", 3)
    one, two, three = run(3), run(6), run(9)  # 1, 2 and 3 batches per step
    assert three - two == two - one > 0  # each extra batch costs the same queries


def test_reminder_before_deadline(org, branch, setup):
    services.prepayment_settings_update(
        organization=org,
        actor=SYSTEM,
        reminder_enabled=True,
        reminder_hours_before=2,
        link_lifetime_hours=24,
    )
    booking = make_booking(org, branch)
    assert booking.remind_at == booking.expires_at - timedelta(hours=2)
    result = sweeps.sweep(booking.remind_at + timedelta(minutes=1))
    assert result.reminded == 1 and result.expired == 0
    assert Message.objects.filter(idempotency_key=f"booking:{booking.pk}:reminder").count() == 1
    assert sweeps.sweep(booking.remind_at + timedelta(minutes=2)).reminded == 0


def test_pay_from_balance(org, branch, setup):
    booking = make_booking(org, branch)
    with pytest.raises(DomainError, match="does not cover"):
        services.booking_pay_from_balance(booking=booking, actor=SYSTEM)
    entry_create(client=booking.client, kind="debit", amount=50_000, purpose="top_up", actor=SYSTEM)
    services.booking_pay_from_balance(booking=booking, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "paid" and booking.paid_from_balance
    assert client_balance(booking.client) == 50_000
    assert Payment.objects.get(pk=booking.payment_id).status == "expired"
    assert Visit.objects.get(pk=booking.visit_id).booking_state == "paid"


def test_pay_from_balance_stores_texts_in_the_organizations_language(org, branch, setup):
    """The client reads the payment page in English; the salon's ledger and its staff
    notification stay Ukrainian."""

    booking = make_booking(org, branch)
    entry_create(client=booking.client, kind="debit", amount=50_000, purpose="top_up", actor=SYSTEM)
    with translation.override("en"):
        services.booking_pay_from_balance(booking=booking, actor=SYSTEM)
    comments = sorted(entries_for_cause(booking).values_list("comment", flat=True))
    visit = visit_words(booking.visit, "uk")
    assert comments == [
        f"Передоплату внесено з балансу: {visit}",
        f"Передоплату списано з балансу: {visit}",
    ]
    note = StaffNotification.objects.filter(related_id=str(booking.pk)).latest("id")
    assert note.title.startswith("Передоплату отримано")
    # The client's name after a colon: Ukrainian does not decline it ("від Кравченко Олена").
    with translation.override("uk"):
        assert note.shown_body.startswith(f"Передоплата: {booking.client.name}, ")
        assert " від " not in note.shown_body
    with translation.override("en"):
        assert note.shown_body.startswith(f"{booking.client.name} prepaid ")


def test_cancel_paid_booking_keeps_money_on_balance(org, branch, setup):
    booking = make_booking(org, branch)
    _pay(booking)
    services.booking_cancel(booking=booking, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert client_balance(booking.client) == 20_000


def test_rules_decide_and_explain(org, branch, setup):
    club = Tag.objects.create(organization=org, name="club")
    services.prepayment_rule_create(
        organization=org, action="waive", tag=club, actor=SYSTEM, order=1
    )
    member = make_client(org)
    member.tags.add(club)
    visit = make_visit(org, branch, client=member, source="online")
    decision = selectors.prepayment_decision(visit=visit)
    assert not decision.required
    assert decision.reason == "prepayment waived: client tag “club”"
    other = make_visit(org, branch, source="online")
    assert selectors.prepayment_decision(visit=other).required


def test_a_booking_says_why_in_the_language_of_its_reader(org, branch, setup, client):
    """A booking keeps why as data: its page says it in the reader's language, not in the
    language of whoever made it; asked for against a "waive" rule, it says staff asked."""
    club = Tag.objects.create(organization=org, name="клуб")
    services.prepayment_rule_create(
        organization=org, action="waive", tag=club, actor=SYSTEM, order=1
    )
    member = make_client(org)
    member.tags.add(club)
    with translation.override("uk"):
        booking = make_booking(org, branch, visit=make_visit(org, branch, client=member))
    # one sentence as a person says it, not "by the rules, prepayment waived: …" glued on
    assert booking.reason == (
        "передоплату запросив працівник, хоча за правилом вона не потрібна (тег клієнта «клуб»)"
    )
    with translation.override("en"):
        assert booking.reason_shown == (
            "requested by staff, although a rule waives the prepayment (client tag “клуб”)"
        )
    old = Booking.objects.filter(pk=booking.pk)
    old.update(why={})  # made before `why` existed: its stored words
    with translation.override("en"):
        assert old.get().reason_shown == booking.reason


def test_online_booking_hook_starts_booking(org, branch, setup):
    visit = make_visit(org, branch, source="online")
    services.online_visit_created(visit)
    assert Booking.objects.filter(visit=visit, status="pending").count() == 1
    staff_visit = make_visit(org, branch)
    services.online_visit_created(staff_visit)
    assert not Booking.objects.filter(visit=staff_visit).exists()


def test_refund_of_late_money(
    org, branch, setup, sandbox_in_process, django_capture_on_commit_callbacks
):
    booking = make_booking(org, branch)
    sweeps.sweep(booking.expires_at)
    payment = Payment.objects.get(pk=booking.payment_id)
    # the sandbox provider must know the charge to refund it
    sandbox_charge(
        account=payment.account,
        payload={"order_id": payment.order_id, "amount": payment.amount, "currency": "UAH"},
        success=True,
    )
    _pay(booking)
    services.booking_refund(booking=booking, actor=SYSTEM)
    booking.refresh_from_db()
    assert booking.status == "refunded"
    assert client_balance(booking.client) == 0


def test_report_counts_match_the_chart_and_the_clocks(org, branch, setup):
    paid = make_booking(org, branch)
    _pay(paid)
    kept = make_booking(org, branch)  # paid, then the visit cancelled, money kept
    _pay(kept)
    services.booking_cancel(booking=kept, actor=SYSTEM)
    ran_out = make_booking(org, branch)
    late = make_booking(org, branch)
    sweeps.sweep(max(ran_out.expires_at, late.expires_at) + timedelta(minutes=1))
    _pay(late)
    totals = report_totals(Booking.objects.all())
    # the status cards count each booking once, by the badge the table shows: they add up
    statuses = Counter(Booking.objects.values_list("status", flat=True))
    assert (totals.pending, totals.paid, totals.expired, totals.cancelled, totals.refunded) == (
        statuses["pending"],
        statuses["paid"],
        statuses["expired"],
        statuses["cancelled"],
        statuses["refunded"],
    )
    assert totals.pending + totals.paid + totals.expired + totals.cancelled + totals.refunded == 4
    assert (totals.issued, totals.paid) == (4, 1)
    # across the statuses: money came for three (one late), one link ran out unpaid
    assert (totals.received, totals.paid_late, totals.ran_out) == (3, 1, 1)
    assert totals.conversion == 75
    assert sum(totals.chart["received"]) == totals.received
    assert sum(totals.chart["ran_out"]) == totals.ran_out
    clocks = {b.pk: b.clock for b in Booking.objects.all()}
    assert clocks == {paid.pk: "green", kept.pk: "green", ran_out.pk: "red", late.pk: "green"}
