"""A cancelled payment is not money received anywhere (C5, F1, F2; seed: a cancelled
transaction "stays in the system with the cancelled status and does not count in the
payments report"): cancelling the ledger entry cancels the income operation recorded for
it and the receipt's payment, in one transaction, deleting nothing."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_entry, make_membership, make_plan
from zapys.core.exceptions import Conflict
from zapys.core.models import AuditLog
from zapys.core.money import format_money
from zapys.ledger import selectors, services
from zapys.ledger.dashboard import widgets
from zapys.ledger.models import (
    Entry,
    FinancialOperation,
    SalesReceipt,
    SalesReceiptLine,
    SalesReceiptPayment,
)
from zapys.ledger.money import money_received_record
from zapys.memberships import services as memberships

PRICE = 160_000  # 1 600 UAH


def _sold_in_cash(org, branch):
    client = make_client(org, "Коваленко Олена")
    m = make_membership(client, make_plan(org, price=PRICE), "paid", branch=branch)
    payment = Entry.objects.get(cause_id=str(m.pk), kind="debit")
    charge = Entry.objects.get(cause_id=str(m.pk), kind="credit")
    return client, m, payment, charge


def _rows():
    """Every row of the money side, cancelled or not (nothing may disappear)."""
    return (
        Entry.objects.count(),
        FinancialOperation.objects.count(),
        SalesReceipt.objects.count(),
        SalesReceiptLine.objects.count(),
        SalesReceiptPayment.objects.count(),
    )


def _state():
    return (
        list(Entry.objects.order_by("id").values()),
        list(FinancialOperation.objects.order_by("id").values()),
        list(SalesReceipt.objects.order_by("id").values()),
        list(SalesReceiptLine.objects.order_by("id").values()),
        list(SalesReceiptPayment.objects.order_by("id").values()),
        AuditLog.objects.count(),
    )


def test_cancelling_the_payment_cancels_its_operation_and_receipt_payment(org, branch, actor):
    client, m, payment, _charge = _sold_in_cash(org, branch)
    op = FinancialOperation.objects.get(cause_id=str(m.pk))
    receipt = SalesReceipt.objects.get(cause_id=str(m.pk))
    assert op.entry_id == payment.pk and receipt.payments.get().entry_id == payment.pk
    rows = _rows()

    services.entry_cancel(entry=payment, actor=actor, reason="не платила")

    assert selectors.client_balance(client) == -PRICE
    op.refresh_from_db()
    assert (op.status, op.cancel_reason) == ("cancelled", "не платила")
    assert op.cancelled_at is not None and op.amount == PRICE
    receipt.refresh_from_db()
    assert (receipt.total, receipt.paid, receipt.unpaid) == (PRICE, 0, PRICE)
    receipt_payment = receipt.payments.get()
    assert receipt_payment.status == "cancelled" and receipt_payment.amount == PRICE
    assert receipt.lines.get().status == "active"
    assert _rows() == rows  # nothing deleted
    audit = AuditLog.objects.get(action="ledger.entry_cancel", object_id=str(payment.pk))
    assert audit.changes["operations_cancelled"] == [op.pk]
    assert audit.changes["receipt_payments_cancelled"] == [
        {"id": receipt_payment.pk, "receipt": receipt.pk, "amount": PRICE}
    ]
    assert AuditLog.objects.filter(action="ledger.entry_cancel").count() == 1


def test_reports_totals_before_and_after(org, branch, staff_client, actor):
    """/finance/day-sales/, /finance/operations/, the payments report and its export."""
    _client, _m, payment, _charge = _sold_in_cash(org, branch)
    day_sales = reverse("ledger:day_sales")
    operations = reverse("ledger:operations")
    report = reverse("ledger:payments_report")

    r = staff_client.get(day_sales)
    summary = r.context["summary"]
    assert (summary["total"], summary["paid"], summary["unpaid"]) == (PRICE, PRICE, 0)
    assert [(t["payment_type__method"], t["amount"]) for t in summary["by_type"]] == [
        ("cash", PRICE)
    ]
    r = staff_client.get(operations)
    assert r.context["totals"] == {"income": PRICE, "expense": 0, "net": PRICE}
    assert r.content.decode().count('data-testid="operation-row"') == 1
    r = staff_client.get(report)
    assert (r.context["totals"].debit, r.context["totals"].credit) == (PRICE, PRICE)

    services.entry_cancel(entry=payment, actor=actor)

    r = staff_client.get(day_sales)
    summary = r.context["summary"]
    assert (summary["total"], summary["paid"], summary["unpaid"]) == (PRICE, 0, PRICE)
    assert summary["by_type"] == []
    page = r.content.decode()
    assert 'data-testid="receipt-unpaid"' in page and 'data-status="cancelled"' in page
    r = staff_client.get(operations)
    assert r.context["totals"] == {"income": 0, "expense": 0, "net": 0}
    assert 'data-testid="operation-row"' not in r.content.decode()
    r = staff_client.get(operations, {"cancelled": "1"})
    assert r.context["totals"] == {"income": 0, "expense": 0, "net": 0}
    assert r.content.decode().count('data-status="cancelled"') == 1
    r = staff_client.get(report)
    assert (r.context["totals"].debit, r.context["totals"].credit) == (0, PRICE)
    text = staff_client.get(report, {"export": "csv"}).content.decode("utf-8-sig")
    assert "-1600,00" in text and ";1600,00;" not in text  # decimal comma, `;` between cells
    # the dashboard's "Paid today" card reads the same summary

    with translation.override("en"):
        card = widgets(r.wsgi_request)[0]
    assert card["value"] == format_money(0, org.currency or "UAH", "en")


def test_api_lists_exclude_the_cancelled_operation_and_show_the_receipt_unpaid(
    org, branch, api, actor
):
    _client, _m, payment, _charge = _sold_in_cash(org, branch)
    assert api.get("/financial-operations").body["count"] == 1
    services.entry_cancel(entry=payment, actor=actor)
    assert api.get("/financial-operations").body["count"] == 0
    body = api.get("/financial-operations", include_cancelled="true").body
    assert body["count"] == 1 and body["items"][0]["status"] == "cancelled"
    assert body["items"][0]["entry_id"] == payment.pk
    receipt = api.get("/sales-receipts").body["items"][0]
    assert (receipt["total"], receipt["paid"]) == (PRICE, 0)
    assert [p["status"] for p in receipt["payments"]] == ["cancelled"]


def test_cancelling_the_charge_takes_the_line_off_the_receipt(org, branch, actor):
    client, m, _payment, charge = _sold_in_cash(org, branch)
    services.entry_cancel(entry=charge, actor=actor)
    receipt = SalesReceipt.objects.get(cause_id=str(m.pk))
    assert (receipt.total, receipt.paid, receipt.unpaid) == (0, PRICE, 0)
    assert receipt.lines.get().status == "cancelled"
    assert FinancialOperation.objects.get().status == "active"  # the money did come in
    assert selectors.client_balance(client) == PRICE


def test_cancelling_the_membership_cancels_everything_it_recorded(org, branch, actor):
    _client, m, _payment, _charge = _sold_in_cash(org, branch)
    memberships.membership_cancel(membership=m, actor=actor, reason="помилка")
    receipt = SalesReceipt.objects.get(cause_id=str(m.pk))
    assert (receipt.total, receipt.paid) == (0, 0)
    assert FinancialOperation.objects.get().status == "cancelled"
    summary = selectors.day_sales_summary(day=receipt.created_at.date(), branch_id=branch.pk)
    assert (summary["total"], summary["paid"], summary["unpaid"]) == (0, 0, 0)


def test_second_cancel_is_a_conflict_and_changes_nothing(org, branch, actor):
    _client, _m, payment, _charge = _sold_in_cash(org, branch)
    services.entry_cancel(entry=payment, actor=actor)
    before = _state()
    with pytest.raises(Conflict):
        services.entry_cancel(entry=payment, actor=actor)
    assert _state() == before


def test_cancelling_an_unrelated_entry_leaves_operations_and_receipts_alone(org, branch, actor):
    client, _m, _payment, _charge = _sold_in_cash(org, branch)
    other = make_entry(client, amount=PRICE, branch=branch)  # a manual payment, same amount
    ops = list(FinancialOperation.objects.values())
    receipts = (
        list(SalesReceipt.objects.values()),
        list(SalesReceiptPayment.objects.values()),
        list(SalesReceiptLine.objects.values()),
    )
    services.entry_cancel(entry=other, actor=actor)
    assert list(FinancialOperation.objects.values()) == ops
    assert (
        list(SalesReceipt.objects.values()),
        list(SalesReceiptPayment.objects.values()),
        list(SalesReceiptLine.objects.values()),
    ) == receipts


def test_money_recorded_by_the_money_service_is_linked_by_it(org, branch, actor):
    """How prepayments and top-ups record money (`ledger.money`): the debit entry, the
    operation and the receipt together, each linked to its own entry — even a second payment
    of the same booking. (The links used to be guessed by cause and amount.)"""
    client = make_client(org)
    cause = make_plan(org)  # any saved object of the organization stands for the booking
    pt = services.payment_type_for(organization=org, branch=branch, method="online")
    recorded = []
    for _ in range(2):
        got = money_received_record(
            client=client,
            amount=50_000,
            purpose="prepayment",
            article="prepayments",
            cause=cause,
            comment="",
            deposit_line="Prepayment",
            branch=branch,
            payment_type=pt,
            actor=SYSTEM,
        )
        recorded.append((got.entry, got.operation, got.receipt))
    (first, op1, r1), (second, op2, r2) = recorded
    assert (op1.entry_id, op2.entry_id) == (first.pk, second.pk)
    assert r1.payments.get().entry_id == first.pk and r2.payments.get().entry_id == second.pk
    services.entry_cancel(entry=second, actor=actor)
    op1.refresh_from_db()
    op2.refresh_from_db()
    assert (op1.status, op2.status) == ("active", "cancelled")
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert (r1.paid, r2.paid) == (50_000, 0)


def test_an_operation_without_a_cause_is_never_linked(org, branch, actor):
    client = make_client(org)
    entry = make_entry(client, amount=30_000, branch=branch)
    op = services.financial_operation_create(
        organization=org, branch=branch, kind="income", amount=30_000, actor=SYSTEM
    )
    assert op.entry_id is None
    services.entry_cancel(entry=entry, actor=actor)
    op.refresh_from_db()
    assert op.status == "active"


def test_migration_links_and_cancels_what_was_recorded_before(org, branch, actor):
    """Data recorded before the link existed: an operation and a receipt payment of a
    payment that was already cancelled are cancelled by migration 0005."""
    _client, m, payment, charge = _sold_in_cash(org, branch)
    FinancialOperation.objects.update(entry=None)
    SalesReceiptPayment.objects.update(entry=None)
    SalesReceiptLine.objects.update(entry=None)
    Entry.objects.filter(pk=payment.pk).cancel_active(
        cancelled_at=payment.created_at, cancelled_by_id=None, reason="old"
    )
    migration = importlib.import_module(
        "zapys.ledger.migrations.0005_link_existing_operations_and_receipts"
    )
    migration.link(django_apps, None)
    op = FinancialOperation.objects.get()
    assert (op.entry_id, op.status, op.cancel_reason) == (payment.pk, "cancelled", "old")
    receipt = SalesReceipt.objects.get(cause_id=str(m.pk))
    assert (receipt.total, receipt.paid) == (PRICE, 0)
    assert receipt.payments.get().status == "cancelled"
    assert receipt.lines.get().entry_id == charge.pk
    migration.link(django_apps, None)  # a second run changes nothing
    receipt.refresh_from_db()
    assert (receipt.total, receipt.paid) == (PRICE, 0)
