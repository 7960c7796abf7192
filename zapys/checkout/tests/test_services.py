"""The checkout service: cover, due, the ledger rows it writes, what it refuses."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_ledger import make_membership, make_plan
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_service,
    make_visit,
)
from zapys.checkout import services
from zapys.checkout.models import Checkout
from zapys.checkout.services import PaymentIn, checkout_summary, visit_checkout
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt
from zapys.ledger.selectors import client_balance, day_sales_summary
from zapys.ledger.services import entry_create
from zapys.payments.services import payment_succeed
from zapys.schedule.models import Attendance
from zapys.schedule.services import attendance_mark

pytestmark = pytest.mark.usefixtures("midday")  # visits hours from now stay today


def _attendance(visit):
    return Attendance.objects.get(visit=visit, client=visit.client)


def _rows():
    return (
        Entry.objects.count(),
        FinancialOperation.objects.count(),
        SalesReceipt.objects.count(),
        Checkout.objects.count(),
    )


def test_nothing_covers_the_whole_price_is_due(visit):
    s = checkout_summary(visit)
    assert (s.price, s.covered, s.due, s.paid) == (45_000, [], 45_000, False)


def test_card_pays_the_due_and_writes_the_linked_rows(visit, actor):
    result = visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    assert result.summary.paid and result.checkout.paid_card == 45_000
    att = _attendance(visit)
    assert att.state == Attendance.State.ATTENDED and att.charge == Attendance.Charge.BALANCE
    charge = Entry.objects.get(pk=att.entry_id)
    assert (charge.kind, charge.amount, charge.purpose) == ("credit", 45_000, "service")
    money = Entry.objects.get(kind="debit")
    assert (money.amount, money.purpose, money.payment_type.method) == (45_000, "payment", "card")
    operation = FinancialOperation.objects.get()
    assert operation.entry_id == money.pk and operation.amount == 45_000
    receipt = SalesReceipt.objects.get()
    assert receipt.pk == result.checkout.receipt_id
    assert (receipt.total, receipt.paid) == (45_000, 45_000)
    assert [(line.amount, line.entry_id) for line in receipt.lines.all()] == [(45_000, charge.pk)]
    assert [p.entry_id for p in receipt.payments.all()] == [money.pk]
    assert client_balance(visit.client) == 0
    assert checkout_summary(visit).paid
    assert AuditLog.objects.filter(action="checkout.settle").count() == 1


def _prepaid_visit(org, branch, amount=20_000):
    """A visit in two days whose client prepaid `amount` online."""
    enable_prepayment(org)
    visit = make_visit(org, branch, service=make_service(org, price=45_000))
    booking = make_booking(
        org, branch, visit=visit, booking_type=make_booking_type(org, "fixed", amount)
    )
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    return visit


def test_prepayment_covers_part_and_the_day_matches(org, branch, actor):
    visit = _prepaid_visit(org, branch)
    s = checkout_summary(visit)
    assert [(c.source, c.amount) for c in s.covered] == [("prepayment", 20_000)]
    assert s.due == 25_000
    result = visit_checkout(visit=visit, payments=[PaymentIn("card", 25_000)], actor=actor)
    assert result.summary.paid
    assert client_balance(visit.client) == 0
    # the covered part is one charge, the paid part another linked to this receipt's line
    charges = sorted(Entry.objects.filter(kind="credit").values_list("amount", flat=True))
    assert charges == [20_000, 25_000]
    receipt = SalesReceipt.objects.get(pk=result.checkout.receipt_id)
    assert (receipt.total, receipt.paid) == (25_000, 25_000)
    day = timezone.localdate()
    summary = day_sales_summary(day=day, branch_id=branch.pk)
    # the prepayment's receipt (20 000, online) and the visit's (25 000, card): the money once
    assert (summary["total"], summary["paid"], summary["unpaid"]) == (45_000, 45_000, 0)


def test_overpay_stays_on_the_balance(visit, actor):
    result = visit_checkout(
        visit=visit,
        payments=[PaymentIn("cash", 20_000), PaymentIn("card", 30_000)],
        actor=actor,
    )
    assert result.checkout.to_balance == 5_000
    assert client_balance(visit.client) == 5_000
    receipt = SalesReceipt.objects.get()
    assert (receipt.total, receipt.paid) == (50_000, 50_000)
    assert sorted(line.amount for line in receipt.lines.all()) == [5_000, 45_000]
    assert sorted(p.payment_type.method for p in receipt.payments.all()) == ["card", "cash"]
    assert FinancialOperation.objects.count() == 2


def test_positive_balance_covers_and_the_rest_on_credit(visit, actor):
    entry_create(client=visit.client, kind="debit", amount=10_000, purpose="top_up", actor=SYSTEM)
    s = checkout_summary(visit)
    assert [(c.source, c.amount) for c in s.covered] == [("balance", 10_000)] and s.due == 35_000
    visit_checkout(visit=visit, payments=[PaymentIn("balance", 35_000)], actor=actor)
    assert client_balance(visit.client) == -35_000  # the debt staff chose, on a receipt
    receipt = SalesReceipt.objects.get()
    assert (receipt.total, receipt.paid) == (35_000, 0)


def test_settled_twice_is_409_and_writes_nothing(visit, actor):
    visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    before = _rows()
    with pytest.raises(Conflict):
        visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    assert _rows() == before


@pytest.mark.parametrize(
    "payments, field",
    [
        ([PaymentIn("card", 40_000)], "payments"),
        ([PaymentIn("card", -1)], "payments.0.amount"),
        ([PaymentIn("card", 0)], "payments.0.amount"),
        ([PaymentIn("card", 1.5)], "payments.0.amount"),  # type: ignore[arg-type]
        ([PaymentIn("cheque", 45_000)], "payments.0.method"),
        ([PaymentIn("card", 45_000), PaymentIn("balance", 1)], "payments"),
        ([PaymentIn("online_link", 45_000), PaymentIn("cash", 1)], "payments"),
        ([PaymentIn("online_link", 100)], "payments"),
    ],
)
def test_amounts_that_do_not_add_up(visit, actor, payments, field):
    before = _rows()
    with pytest.raises(DomainError) as caught:
        visit_checkout(visit=visit, payments=payments, actor=actor)
    assert caught.value.status == 422
    assert caught.value.errors[0]["field"] == field
    assert _rows() == before
    assert _attendance(visit).state == Attendance.State.PLANNED


def test_arrival_does_not_push_into_debt(visit, actor):
    att = _attendance(visit)
    attendance_mark(attendance=att, state=Attendance.State.ATTENDED, actor=actor)
    att.refresh_from_db()
    assert att.charge == Attendance.Charge.NONE
    assert client_balance(visit.client) == 0
    assert checkout_summary(visit).due == 45_000


def test_arrival_charges_what_the_balance_covers(visit, actor):
    entry_create(client=visit.client, kind="debit", amount=50_000, purpose="top_up", actor=SYSTEM)
    att = _attendance(visit)
    attendance_mark(attendance=att, state=Attendance.State.ATTENDED, actor=actor)
    s = checkout_summary(visit)
    assert (
        s.paid and s.due == 0 and [(c.source, c.amount) for c in s.covered] == [("balance", 45_000)]
    )
    assert client_balance(visit.client) == 5_000


def test_membership_covers_on_checkout(org, visit, actor):
    plan = make_plan(org, covers_everything=True, visits=5)
    make_membership(visit.client, plan, starts_on=timezone.localdate())
    s = checkout_summary(visit)
    assert s.due == 0 and [c.source for c in s.covered] == ["membership"]
    result = visit_checkout(visit=visit, payments=[], actor=actor)
    assert result.summary.paid
    assert _attendance(visit).charge == Attendance.Charge.MEMBERSHIP
    assert not Entry.objects.filter(purpose="service").exists()


def test_undone_arrival_lets_the_visit_be_checked_out_again(visit, actor):
    visit_checkout(visit=visit, payments=[PaymentIn("cash", 45_000)], actor=actor)
    att = _attendance(visit)
    attendance_mark(attendance=att, state=Attendance.State.PLANNED, actor=actor)
    assert client_balance(visit.client) == 45_000  # the charge undone, the money kept
    s = checkout_summary(visit)
    assert not s.paid
    # the balance now covers it: settling needs no money
    assert s.due == 0
    visit_checkout(visit=visit, payments=[], actor=actor)
    assert client_balance(visit.client) == 0


def test_online_link_settles_on_payment(visit, actor):
    result = visit_checkout(visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=actor)
    assert result.payment_url and not result.summary.paid
    assert checkout_summary(visit).awaiting_online
    assert not Entry.objects.exists()
    payment = result.checkout.payment
    payment_succeed(payment=payment, actor=SYSTEM)
    s = checkout_summary(visit)
    assert s.paid and s.checkout.paid_online == 45_000
    assert client_balance(visit.client) == 0
    receipt = SalesReceipt.objects.get()
    assert receipt.payments.get().payment_type.method == "online"


def test_desk_payment_replaces_a_waiting_link(visit, actor):
    link = visit_checkout(visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=actor)
    visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    link.checkout.payment.refresh_from_db()
    assert link.checkout.payment.status == "expired"
    assert Checkout.objects.get(pk=link.checkout.pk).status == Checkout.Status.CANCELLED
    assert client_balance(visit.client) == 0


def test_absent_client_has_nothing_to_check_out(visit, actor):
    attendance_mark(attendance=_attendance(visit), state=Attendance.State.ABSENT, actor=actor)
    with pytest.raises(Conflict):
        visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    assert not Entry.objects.exists()


def test_constant_queries_per_checkout(org, branch, actor):
    """One checkout and another of a different visit cost the same number of statements."""
    from datetime import timedelta

    from tests.factories_prepayments import make_client

    service = make_service(org, price=45_000)
    counts = []
    for i in range(4):
        v = make_visit(
            org,
            branch,
            client=make_client(org),
            service=service,
            starts_at=timezone.now() - timedelta(hours=3 + i * 2),
        )
        with CaptureQueriesContext(connection) as ctx:
            visit_checkout(visit=v, payments=[PaymentIn("card", 45_000)], actor=actor)
        counts.append(len(ctx.captured_queries))
    # the first creates the organization's article and payment type once
    assert counts[1] == counts[2] == counts[3], counts
    assert counts[1] <= 65, counts  # savepoints included
    assert services.METHODS  # the methods API.md names


def test_refunded_link_leaves_the_visit_due_again(org, branch, visit, actor):
    """Paid online, then the payment refunded: the service stays charged, the client owes
    it (the balance), the card shows it due again and the unpaid list lists it; taking it
    by card clears the debt and the visit is paid again."""
    from zapys.checkout.selectors import unpaid_attendances
    from zapys.payments.models import PaymentRefund
    from zapys.payments.services.refunds import _refund_confirm

    link = visit_checkout(visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=actor)
    payment = link.checkout.payment
    payment_succeed(payment=payment, actor=SYSTEM)
    assert checkout_summary(visit).paid
    payment.refresh_from_db()
    refund = PaymentRefund.objects.create(
        organization=org, payment=payment, amount=45_000, created_by="test"
    )
    assert _refund_confirm(payment=payment, refund=refund, actor=SYSTEM, via_callback=True)
    s = checkout_summary(visit)
    assert (s.paid, s.due, s.can_pay) == (False, 45_000, True)
    assert s.checkout.refunded == 45_000
    assert client_balance(visit.client) == -45_000  # the service charged, the money gone
    assert Entry.objects.filter(purpose="service", status="active").count() == 1
    now = timezone.now()
    listed = list(
        unpaid_attendances(organization=org, day=timezone.localdate(), branch_id=None, now=now)
    )
    assert [a.visit_id for a in listed] == [visit.pk]
    assert services.dues_of_unpaid(listed, organization=org) == {listed[0].pk: 45_000}
    assert AuditLog.objects.filter(action="checkout.refunded").count() == 1

    before = _rows()
    with pytest.raises(DomainError):  # not enough: nothing written
        visit_checkout(visit=visit, payments=[PaymentIn("card", 10_000)], actor=actor)
    assert _rows() == before
    visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    s = checkout_summary(visit)
    assert s.paid and s.checkout.repaid == 45_000
    assert client_balance(visit.client) == 0
    assert Entry.objects.filter(purpose="service", status="active").count() == 1  # once
    assert not list(
        unpaid_attendances(organization=org, day=timezone.localdate(), branch_id=None, now=now)
    )
    with pytest.raises(Conflict):
        visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)


def test_constant_queries_per_checkout_at_two_histories(org, branch, actor):
    """One client's checkout after one earlier paid visit and after six: the same number of
    statements (the balance, the cover and the writes do not grow with the history)."""
    from datetime import timedelta

    from tests.factories_prepayments import make_client

    service, client = make_service(org, price=45_000), make_client(org)
    visits = [
        make_visit(
            org,
            branch,
            client=client,
            service=service,
            starts_at=timezone.now() - timedelta(hours=30 - i * 2),
        )
        for i in range(9)
    ]
    counts = {}
    for i, v in enumerate(visits):
        with CaptureQueriesContext(connection) as ctx:
            visit_checkout(visit=v, payments=[PaymentIn("card", 45_000)], actor=actor)
        counts[i] = len(ctx.captured_queries)
    # the first also creates the organization's article and payment type
    assert counts[2] == counts[8], counts
    assert counts[8] <= 45, counts  # savepoints included (56 before the checkout's own path)
    assert client_balance(client) == 0 and Checkout.objects.count() == 9
