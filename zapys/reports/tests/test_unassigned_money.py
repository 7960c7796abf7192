"""Money a client paid before being known (an online sale bought by a stranger) is in the
money reports, once: before it is attached to a client (the till's operation) and after
(the client's entry, dated when the money came) — issue 17: sale 3NF-DCB9 was on the
payments list but not in /reports/money/ nor /reports/day/."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from tests.factories import SYSTEM, make_branch
from tests.factories_ledger import make_client, make_payment_type
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry, PaymentType
from zapys.ledger.money import (
    SoldLine,
    money_assign_to_client,
    money_received_unassigned,
    money_unassigned_cancel,
)
from zapys.reports.tests.conftest import at

#: what the `money` fixture's November holds (see conftest)
RECEIVED, COUNT, ONLINE = 138_456, 3, 5_000


@pytest.fixture
def stranger_paid(org, branch, money):
    """1 640,00 paid online on 5 November at 14:00, nobody attached yet."""
    with time_machine.travel(at(5, 14), tick=False):
        return money_received_unassigned(
            organization=org,
            amount=164_000,
            article="membership_sales",
            actor=SYSTEM,
            cause=None,
            comment="Online sale",
            sold=[SoldLine("8 visits", 160_000), SoldLine("Commission", 4_000)],
            branch=branch,
            payment_type=money["online"],
        )


def _money(staff_client, **params):
    return staff_client.get("/reports/money/", params).context["report"]


def _day(staff_client, day: str):
    return staff_client.get("/reports/day/", {"day": day}).context


def test_counted_before_it_is_attached(staff_client, money, stranger_paid, today):
    report = _money(staff_client)
    assert (report.total.received, report.total.count) == (RECEIVED + 164_000, COUNT + 1)
    assert {line.key: line.received for line in report.by_method}["online"] == ONLINE + 164_000
    assert {line.key: line.received for line in report.by_purpose}["payment"] == 133_456 + 164_000
    assert report.by_bucket[date(2026, 11, 5)].received == 164_000
    day = _day(staff_client, "2026-11-05")
    assert day["report"].total.received == 164_000
    assert [h["value"] for h in day["hours"] if h["value"]] == [164_000]
    assert [h["label"] for h in day["hours"] if h["value"]] == ["14:00"]


def test_counted_once_after_it_is_attached_on_the_day_it_came(
    staff_client, org, money, stranger_paid, today
):
    before = _money(staff_client)
    with time_machine.travel(at(9, 10), tick=False):  # attached four days later
        entry = money_assign_to_client(
            money=stranger_paid,
            client=make_client(org, "Марія Бондар"),
            purpose=Entry.Purpose.PAYMENT,
            actor=SYSTEM,
            cause=None,
            comment="Online sale",
        )
    assert entry.created_at == stranger_paid.operation.created_at
    after = _money(staff_client)
    assert (after.total.received, after.total.count) == (before.total.received, before.total.count)
    assert after.total.received == RECEIVED + 164_000
    assert after.by_bucket[date(2026, 11, 5)].received == 164_000
    assert date(2026, 11, 9) not in after.by_bucket
    assert [(r["bucket"], r["amount"]) for r in after.rows if r["bucket"] == date(2026, 11, 5)] == [
        (date(2026, 11, 5), 164_000)
    ]
    assert _day(staff_client, "2026-11-09")["report"].total.received == 0


def test_a_key_on_both_sides_is_one_row(staff_client, org, branch, money, stranger_paid, today):
    """A client's online payment and a stranger's on the same day: one grouped row."""
    from zapys.ledger.services import entry_create

    with time_machine.travel(at(5, 9), tick=False):
        entry_create(client=money["client"], kind=Entry.Kind.DEBIT, amount=1_000,
                     purpose=Entry.Purpose.PAYMENT, actor=SYSTEM, branch=branch,
                     payment_type=money["online"])  # fmt: skip
    rows = [r for r in _money(staff_client).rows if r["bucket"] == date(2026, 11, 5)]
    assert [(r["purpose"], r["amount"], r["count"]) for r in rows] == [("payment", 165_000, 2)]


def test_money_sent_back_before_attaching_is_not_counted(staff_client, money, stranger_paid, today):
    assert money_unassigned_cancel(money=stranger_paid, actor=SYSTEM, reason="refund")
    report = _money(staff_client)
    assert (report.total.received, report.total.count) == (RECEIVED, COUNT)


def test_another_branch_and_the_till_own_income_are_not_counted(
    staff_client, org, branch, money, stranger_paid, today
):
    from zapys.ledger.services import financial_operation_create

    other = make_branch(org, "Поділ")
    with time_machine.travel(at(5, 15), tick=False):  # the till's own: not a client's money
        financial_operation_create(organization=org, branch=branch, kind="income",
                                   amount=30_000, actor=SYSTEM, payment_type=money["cash"])  # fmt: skip
    assert _money(staff_client).total.received == RECEIVED + 164_000
    assert _money(staff_client, branch=branch.pk).total.received == RECEIVED + 164_000
    assert _money(staff_client, branch=other.pk).total.received == 0


def test_another_organizations_unattached_money_is_not_counted(
    staff_client, other_org, money, today
):
    with org_scope(other_org):
        theirs = make_branch(other_org)
        with time_machine.travel(at(5, 14), tick=False):
            money_received_unassigned(
                organization=other_org, amount=999_900, article="membership_sales",
                actor=SYSTEM, cause=None, comment="", sold=[SoldLine("Plan", 999_900)],
                branch=theirs, payment_type=make_payment_type(theirs, PaymentType.Method.ONLINE),
            )  # fmt: skip
    assert _money(staff_client).total.received == RECEIVED
