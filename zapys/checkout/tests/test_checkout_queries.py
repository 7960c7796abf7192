"""The checkout's statements, pinned (issue 12: bench/checkout.py, ≤ 3× raw SQL).

The common checkout — an appointment nobody's money covers, paid by card — was 41
statements: a savepoint around every ledger function it called and an INSERT per audit
row. The ledger's writer (`ledger.services.LedgerWrite`) writes the charge, the money, the
till operation and the receipt with one INSERT per table inside the checkout's transaction
(no savepoint), and every audit row of the checkout in one INSERT; the schedule's
`attendance_arrived_locked` marks the arrival with the charge in one UPDATE."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.checkout.services import PaymentIn, visit_checkout
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry, FinancialOperation, SalesReceipt
from zapys.ledger.services import account_base_for
from zapys.schedule.models import Attendance

#: bench/checkout.py's checkout: the outer transaction's two statements (BEGIN/COMMIT, or
#: a savepoint inside the test's transaction), 12 reads — the client's row lock (the balance
#: it spends, lock 1 of payments/locks.py, so a prepayment paid from the same balance at once
#: queues: test_balance_race.py), the visit's and attendance's
#: locks (the visit's relations as the caller loaded them: `locked_visit`), the live
#: checkout, the balance, the prepayment, the memberships, the account, the article, the
#: payment type, the fiscal register, the "came" status — and 10 writes: the checkout row,
#: the entries, the operation, the receipt, its line, its payment, the attendance, the
#: visit, the checkout's receipt link and the audit rows. It was 41, then 24 with the
#: visit's joined read after its lock, 23 before the client's lock.
CHECKOUT_STATEMENTS = 24


def _checkout(org, branch, service, actor, hours: int) -> tuple[list[str], int]:
    """The statements of one card checkout, and the last audit row's id before it."""
    client = make_client(org)
    account_base_for(client=client)  # a client with a history has one (bench/checkout.py)
    visit = make_visit(
        org,
        branch,
        client=client,
        service=service,
        starts_at=timezone.now() - timedelta(hours=hours),
    )
    last = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with CaptureQueriesContext(connection) as ctx:
        visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    return [q["sql"] for q in ctx.captured_queries], last


def test_a_card_checkout_is_pinned_no_nested_savepoint_one_audit_insert(org, branch, actor):
    service = make_service(org, price=45_000)
    _checkout(org, branch, service, actor, 3)  # creates the article and payment type once
    statements, last = _checkout(org, branch, service, actor, 5)
    assert len(statements) == CHECKOUT_STATEMENTS, "\n".join(s[:120] for s in statements)
    # the test's transaction makes the checkout's own a savepoint: that one, no other
    assert sum(1 for s in statements if s.upper().startswith("SAVEPOINT")) == 1
    audit_inserts = [s for s in statements if s.startswith('INSERT INTO "core_auditlog"')]
    assert len(audit_inserts) == 1
    entry_inserts = [s for s in statements if s.startswith('INSERT INTO "ledger_entry"')]
    assert len(entry_inserts) == 1  # the charge and the money together
    # the same audit rows as before, as informative
    rows = list(AuditLog.objects.filter(pk__gt=last).order_by("id"))
    assert sorted(r.action for r in rows) == sorted(
        [
            "attendance.mark",
            "ledger.entry_create",
            "ledger.entry_create",
            "ledger.operation_create",
            "ledger.receipt_create",
            "checkout.settle",
        ]
    )
    assert {r.actor_label for r in rows} == {actor.label}
    by_action = {r.action: r for r in rows}
    assert by_action["attendance.mark"].changes == {"state": ["planned", "attended"]}
    operation = FinancialOperation.objects.order_by("-id").first()
    assert operation is not None
    assert by_action["ledger.operation_create"].changes == {
        "kind": [None, "income"],
        "amount": [None, 45_000],
        "entry": [None, operation.entry_id],
    }
    assert by_action["ledger.operation_create"].object_id == str(operation.pk)
    receipt = SalesReceipt.objects.order_by("-id").first()
    # the receipt is named by its client and total in the audit log (fifth tour), not «#id»
    assert receipt is not None and receipt.client is not None
    assert by_action["ledger.receipt_create"].object_repr == f"{receipt.client.name}, UAH\xa0450.00"
    assert by_action["checkout.settle"].changes["paid"] == [None, 45_000]
    # the arrival and its charge in one UPDATE: the attendance names the charge entry
    attendance = Attendance.objects.order_by("-id").first()
    assert attendance is not None
    charge = Entry.objects.get(pk=attendance.entry_id)
    assert (attendance.state, attendance.charge) == ("attended", "balance")
    assert (charge.kind, charge.purpose, charge.cause_id) == (
        "credit",
        "service",
        str(attendance.pk),
    )


def test_the_count_is_the_same_for_every_checkout(org, branch, actor):
    service = make_service(org, price=45_000)
    _checkout(org, branch, service, actor, 3)
    counts = [len(_checkout(org, branch, service, actor, 5 + 2 * i)[0]) for i in range(3)]
    assert counts == [CHECKOUT_STATEMENTS] * 3


def test_a_visit_loaded_without_its_relations_costs_one_joined_read_more(org, branch, actor):
    """A caller that loaded the bare visit (an API call by id) gets them read after the lock."""
    from zapys.schedule.models import Visit

    service = make_service(org, price=45_000)
    _checkout(org, branch, service, actor, 3)
    client = make_client(org)
    account_base_for(client=client)
    made = make_visit(
        org, branch, client=client, service=service, starts_at=timezone.now() - timedelta(hours=9)
    )
    bare = Visit.objects.get(pk=made.pk)
    bare.organization = org  # the tenancy scope's object, as a view has it
    with CaptureQueriesContext(connection) as ctx:
        visit_checkout(visit=bare, payments=[PaymentIn("card", 45_000)], actor=actor)
    assert len(ctx.captured_queries) == CHECKOUT_STATEMENTS + 1
    assert Attendance.objects.get(visit=made).state == "attended"
