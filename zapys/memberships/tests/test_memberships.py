"""Selling in the three modes, renewal, corrections, consumption, freeze shift."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories_ledger import make_client, make_membership, make_plan
from zapys.catalog.models import Group, Service, Subject
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.ledger import selectors as ledger_selectors
from zapys.ledger.models import Account, Entry, FinancialOperation, SalesReceipt
from zapys.memberships import services
from zapys.memberships.models import ClientMembership, MembershipPlan, MembershipUsage


def _entries(m):
    return sorted((e.kind, e.amount, e.purpose) for e in ledger_selectors.entries_for_cause(m))


def test_sell_paid_creates_credit_and_debit_receipt_and_income(org, branch, actor):
    client = make_client(org)
    plan = make_plan(org, price=100_000, visits=8)
    m = make_membership(client, plan, "paid", branch=branch, actor=actor)
    assert _entries(m) == [("credit", 100_000, "membership_sale"), ("debit", 100_000, "payment")]
    assert ledger_selectors.client_balance(client) == 0
    receipt = SalesReceipt.objects.get(cause_id=str(m.pk))
    assert (receipt.total, receipt.paid) == (100_000, 100_000)
    assert [line.name for line in receipt.lines.all()] == [plan.name]
    assert receipt.payments.get().payment_type.method == "cash"
    op = FinancialOperation.objects.get(cause_id=str(m.pk))
    assert (op.kind, op.amount, op.article.code) == ("income", 100_000, "membership_sales")
    assert (m.starts_on, m.ends_on) == (date(2026, 3, 1), date(2026, 3, 31))


def test_sell_on_credit_leaves_the_client_owing(org, branch, actor):
    client = make_client(org)
    m = make_membership(client, make_plan(org, price=80_000), "credit", branch=branch)
    assert _entries(m) == [("credit", 80_000, "membership_sale")]
    assert ledger_selectors.client_balance(client) == -80_000
    receipt = SalesReceipt.objects.get(cause_id=str(m.pk))
    assert (receipt.total, receipt.paid) == (80_000, 0)
    assert not FinancialOperation.objects.exists()


def test_sell_without_payment_writes_no_money(org, branch):
    client = make_client(org)
    m = make_membership(client, make_plan(org), "free", branch=branch)
    assert _entries(m) == []
    assert not SalesReceipt.objects.exists()
    assert ledger_selectors.client_balance(client) == 0
    assert AuditLog.objects.filter(action="membership.sell", object_id=str(m.pk)).exists()


def test_separate_account_plan_gets_its_own_account(org, branch):
    client = make_client(org)
    plan = make_plan(org, separate_account=True, price=5_000)
    m = make_membership(client, plan, "credit", branch=branch)
    assert m.account.kind == Account.Kind.MEMBERSHIP
    assert Entry.objects.get(cause_id=str(m.pk)).account_id == m.account_id
    assert ledger_selectors.account_balance(m.account) == -5_000


def test_selling_an_archived_plan_is_a_field_error_and_writes_nothing(org, branch, actor):
    client = make_client(org)
    plan = make_plan(org)
    services.membership_plan_archive(plan=plan, actor=actor)
    before = (ClientMembership.objects.count(), Entry.objects.count(), Account.objects.count())
    with pytest.raises(DomainError) as exc:
        make_membership(client, plan, branch=branch)
    assert exc.value.errors[0]["field"] == "plan_id"
    assert (
        ClientMembership.objects.count(),
        Entry.objects.count(),
        Account.objects.count(),
    ) == before


def test_unknown_mode_writes_nothing(org):
    client = make_client(org)
    with pytest.raises(DomainError) as exc:
        make_membership(client, make_plan(org), "barter")
    assert exc.value.errors[0]["field"] == "mode"
    assert not ClientMembership.objects.exists() and not Entry.objects.exists()


@pytest.mark.parametrize(
    ("start", "value", "unit", "end"),
    [
        (date(2026, 1, 31), 1, "months", date(2026, 2, 27)),
        (date(2026, 3, 1), 1, "months", date(2026, 3, 31)),
        (date(2026, 3, 1), 30, "days", date(2026, 3, 30)),
        (date(2026, 11, 15), 3, "months", date(2027, 2, 14)),
    ],
)
def test_validity_end(start, value, unit, end):
    assert services.validity_end(starts_on=start, value=value, unit=unit) == end


def test_renew_from_end_or_today(org, branch, actor):
    client = make_client(org)
    m = make_membership(client, make_plan(org, price=1_000), "paid", branch=branch)
    r1 = services.membership_renew(membership=m, mode="credit", actor=actor, from_end=True)
    assert r1.starts_on == date(2026, 4, 1) and r1.renewed_from_id == m.pk
    assert _entries(r1) == [("credit", 1_000, "membership_sale")]
    r2 = services.membership_renew(
        membership=m, mode="free", actor=actor, from_end=False, today=date(2026, 3, 20)
    )
    assert r2.starts_on == date(2026, 3, 20)


def test_correct_validity_and_bad_dates(org, actor):
    m = make_membership(make_client(org))
    services.membership_correct_validity(membership=m, ends_on=date(2026, 4, 15), actor=actor)
    m.refresh_from_db()
    assert m.ends_on == date(2026, 4, 15)
    with pytest.raises(DomainError):
        services.membership_correct_validity(membership=m, ends_on=date(2026, 1, 1), actor=actor)
    m.refresh_from_db()
    assert m.ends_on == date(2026, 4, 15)


def test_virtual_visits_count_as_used(org, actor):
    m = make_membership(make_client(org), make_plan(org, visits=4))
    services.membership_add_virtual_visits(membership=m, count=3, actor=actor)
    assert m.visits_left == 1
    with pytest.raises(DomainError):
        services.membership_add_virtual_visits(membership=m, count=2, actor=actor)
    m.refresh_from_db()
    assert m.virtual_visits == 3


def test_consume_is_idempotent_per_cause_and_returns(org, actor):
    client = make_client(org)
    m = make_membership(client, make_plan(org, visits=2))
    cause_a, cause_b, cause_c = make_client(org), make_client(org), make_client(org)
    day = date(2026, 3, 10)
    assert (
        services.membership_consume_visit(client=client, on_date=day, actor=actor, cause=cause_a)
        == m
    )
    assert (
        services.membership_consume_visit(client=client, on_date=day, actor=actor, cause=cause_a)
        == m
    )
    m.refresh_from_db()
    assert m.visits_used == 1
    services.membership_consume_visit(client=client, on_date=day, actor=actor, cause=cause_b)
    assert (
        services.membership_consume_visit(client=client, on_date=day, actor=actor, cause=cause_c)
        is None
    )
    assert services.membership_return_visit(cause=cause_a, actor=actor) == m
    assert services.membership_return_visit(cause=cause_a, actor=actor) is None
    m.refresh_from_db()
    assert m.visits_used == 1
    assert (
        services.membership_consume_visit(client=client, on_date=day, actor=actor, cause=cause_c)
        == m
    )
    assert MembershipUsage.objects.filter(returned_at__isnull=True).count() == 2


def test_consume_picks_covering_membership_ending_first(org, actor):
    client = make_client(org)
    service = Service.objects.create(organization=org, name="Yoga", price=1)
    other = Service.objects.create(organization=org, name="Boxing", price=1)
    subject = Subject.objects.create(organization=org, name="Piano")
    group = Group.objects.create(organization=org, name="Piano A", subject=subject)
    yoga = make_plan(org, covers_everything=False, services=[service], validity_value=2)
    piano = make_plan(org, covers_everything=False, subjects=[subject])
    long_all = make_plan(org, validity_value=6)
    m_yoga = make_membership(client, yoga)
    m_piano = make_membership(client, piano)
    m_all = make_membership(client, long_all)
    day = date(2026, 3, 5)
    assert (
        services.membership_consume_visit(
            client=client, on_date=day, actor=actor, cause=m_all, service=service
        )
        == m_yoga
    )
    assert (
        services.membership_consume_visit(
            client=client, on_date=day, actor=actor, cause=m_yoga, group=group
        )
        == m_piano
    )
    assert (
        services.membership_consume_visit(
            client=client, on_date=day, actor=actor, cause=m_piano, service=other
        )
        == m_all
    )
    assert (
        services.membership_consume_visit(
            client=client, on_date=date(2027, 1, 1), actor=actor, cause=client, service=other
        )
        is None
    )


def test_cancel_membership_cancels_its_entries(org, branch, actor):
    client = make_client(org)
    m = make_membership(client, make_plan(org, price=2_000), "credit", branch=branch)
    services.membership_cancel(membership=m, actor=actor, reason="wrong plan")
    assert ledger_selectors.client_balance(client) == 0
    assert Entry.objects.filter(status="cancelled").count() == 1
    with pytest.raises(Conflict):
        services.membership_cancel(membership=m, actor=actor)


def test_plan_validation(org, actor):
    for bad in ({"price": -1}, {"price": 1.5}, {"validity_value": 0}, {"visits": 0}, {"name": " "}):
        with pytest.raises(DomainError):
            make_plan(org, **{"name": "x", **bad})
    assert not MembershipPlan.objects.exists()
