"""The one recipe for money in and out (ledger.money): entry, operation and receipt written
together and linked explicitly, the same branch / payment type rule for every caller."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy

from tests.factories import SYSTEM, make_branch
from tests.factories_ledger import make_client, make_payment_type
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.ledger import services
from zapys.ledger.hooks import finance_article_declare, finance_articles_declared
from zapys.ledger.models import (
    Entry,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
    SalesReceiptLine,
    SalesReceiptPayment,
)
from zapys.ledger.money import (
    SoldLine,
    money_assign_to_client,
    money_received_record,
    money_received_unassigned,
    money_refunded_record,
)
from zapys.ledger.selectors import client_balance

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Entry.objects.count(),
        FinancialOperation.objects.count(),
        SalesReceipt.objects.count(),
        SalesReceiptLine.objects.count(),
        SalesReceiptPayment.objects.count(),
        AuditLog.objects.count(),
    )


def _receive(client, amount=45_000, **kwargs):
    fields = {
        "client": client,
        "amount": amount,
        "purpose": Entry.Purpose.TOP_UP,
        "article": "top_ups",
        "actor": SYSTEM,
        "cause": None,
        "comment": "Поповнення",
        "deposit_line": "Поповнення балансу",
    }
    fields.update(kwargs)
    return money_received_record(**fields)


def test_money_in_writes_entry_operation_and_receipt_linked_to_each_other(org, branch):
    client = make_client(org, "Бондар Ірина")
    got = _receive(client)
    assert (got.entry.kind, got.entry.amount, got.entry.purpose) == ("debit", 45_000, "top_up")
    assert got.branch == branch
    assert got.payment_type.method == PaymentType.Method.ONLINE
    assert got.payment_type.branch == branch
    assert got.operation.entry_id == got.entry.pk
    assert (got.operation.kind, got.operation.amount) == ("income", 45_000)
    assert got.operation.article.code == "top_ups"
    receipt_payment = SalesReceiptPayment.objects.get(receipt=got.receipt)
    assert (receipt_payment.entry_id, receipt_payment.amount) == (got.entry.pk, 45_000)
    assert [(line.name, line.amount, line.entry_id) for line in got.receipt.lines.all()] == [
        ("Поповнення балансу", 45_000, None)
    ]
    assert client_balance(client) == 45_000


def test_two_equal_payments_for_one_cause_keep_their_own_links(org, branch):
    """Before, an operation found "its" entry by cause + amount; now each link is given, so
    cancelling the first payment cancels the first operation and receipt payment only."""
    client = make_client(org, "Гнатюк Оксана")
    first = _receive(client, cause=client)
    second = _receive(client, cause=client)
    services.entry_cancel(entry=first.entry, actor=SYSTEM, reason="помилка")
    first.operation.refresh_from_db()
    second.operation.refresh_from_db()
    assert (first.operation.status, second.operation.status) == ("cancelled", "active")
    first.receipt.refresh_from_db()
    second.receipt.refresh_from_db()
    assert (first.receipt.paid, second.receipt.paid) == (0, 45_000)
    assert client_balance(client) == 45_000


def test_sold_lines_name_their_charges(org, branch):
    client = make_client(org, "Ярошенко Марта")
    charge = services.entry_create(
        client=client, kind="credit", amount=90_000, purpose="membership_sale", actor=SYSTEM
    )
    got = _receive(
        client,
        amount=90_000,
        purpose=Entry.Purpose.PAYMENT,
        article="membership_sales",
        sold=[SoldLine("Абонемент 8 занять", 90_000, charge)],
        deposit_line="",
        method=PaymentType.Method.CASH,
    )
    line = got.receipt.lines.get()
    assert (line.name, line.entry_id) == ("Абонемент 8 занять", charge.pk)
    assert got.payment_type.method == "cash"
    assert (got.receipt.total, got.receipt.paid) == (90_000, 90_000)
    assert client_balance(client) == 0


def test_the_payment_types_branch_decides_when_no_branch_is_given(org, branch):
    other = make_branch(org, "Поділ")
    card = make_payment_type(other, PaymentType.Method.CARD)
    got = _receive(make_client(org), payment_type=card)
    assert (got.branch, got.operation.branch, got.receipt.branch) == (other, other, other)


def test_a_payment_type_of_another_branch_is_refused_and_nothing_is_written(org, branch):
    other = make_branch(org, "Поділ")
    card = make_payment_type(other, PaymentType.Method.CARD)
    client = make_client(org)
    before = _counts()
    with pytest.raises(DomainError):
        _receive(client, branch=branch, payment_type=card)
    assert _counts() == before
    assert client_balance(client) == 0


def test_without_any_branch_only_the_entry_is_written(org):
    client = make_client(org, "Без Філії")
    got = _receive(client)
    assert (got.operation, got.receipt, got.branch, got.payment_type) == (None, None, None, None)
    assert FinancialOperation.objects.count() == 0 and SalesReceipt.objects.count() == 0
    assert client_balance(client) == 45_000


def test_money_out_is_a_refund_entry_with_a_linked_expense(org, branch):
    client = make_client(org, "Ткаченко Яна")
    _receive(client)
    out = money_refunded_record(
        client=client, amount=15_000, actor=SYSTEM, cause=None, comment="Повернення"
    )
    assert (out.entry.kind, out.entry.purpose, out.entry.amount) == ("credit", "refund", 15_000)
    assert (out.operation.kind, out.operation.entry_id) == ("expense", out.entry.pk)
    assert out.operation.article.code == "refunds"
    assert out.receipt is None
    assert client_balance(client) == 30_000


def test_a_bad_amount_is_refused_and_nothing_is_written(org, branch):
    client = make_client(org)
    before = _counts()
    for amount in (0, -1, 10**15):
        with pytest.raises(DomainError):
            _receive(client, amount=amount)
    assert _counts() == before


def test_finance_articles_are_declared_by_the_apps_that_record_money(org):

    declared = finance_articles_declared()
    assert {code: a.kind for code, a in declared.items()}.items() >= {
        "services": "income",
        "refunds": "expense",
        "membership_sales": "income",
        "prepayments": "income",
        "top_ups": "income",
    }.items()
    with pytest.raises(ValueError):
        finance_article_declare("prepayments", kind="expense", label=gettext_lazy("Prepayments"))
    with pytest.raises(DomainError):
        services.finance_article_for(organization=org, code="nobody_declared_this")
    # Created on first use, named in the organization's language.
    article = services.finance_article_for(organization=org, code="membership_sales")
    assert (article.kind, article.name) == ("income", "Продаж абонементів")


def test_money_before_a_client_is_counted_once_when_it_gets_one(org, branch, actor):

    sale = make_client(org, "Покупець Сайту")  # stands for the online sale (any saved object)
    money = money_received_unassigned(
        organization=org,
        amount=120_000,
        article="membership_sales",
        actor=SYSTEM,
        cause=sale,
        comment="Абонемент із сайту",
        sold=[SoldLine("Абонемент 8 занять", 120_000)],
    )
    assert money.operation.entry_id is None and money.receipt.client_id is None
    assert (money.receipt.total, money.receipt.paid) == (120_000, 120_000)
    counts = _counts()

    buyer = make_client(org, "Левченко Зоя")
    entry = money_assign_to_client(
        money=money, client=buyer, purpose=Entry.Purpose.PAYMENT, actor=SYSTEM, cause=sale,
        comment="Абонемент із сайту",
    )  # fmt: skip
    assert client_balance(buyer) == 120_000
    money.operation.refresh_from_db()
    money.receipt.refresh_from_db()
    money.receipt_payment.refresh_from_db()
    assert (money.operation.entry_id, money.operation.client_id) == (entry.pk, buyer.pk)
    assert money.receipt_payment.entry_id == entry.pk and money.receipt.client_id == buyer.pk
    # One more entry and its audit rows; no second operation or receipt.
    entries, ops, receipts, lines, payments, _audit = _counts()
    assert (entries, ops, receipts, lines, payments) == (counts[0] + 1, *counts[1:5])

    after = _counts()
    with pytest.raises(Conflict):
        money_assign_to_client(
            money=money, client=make_client(org, "Інша"), purpose="payment", actor=SYSTEM,
            cause=sale, comment="",
        )  # fmt: skip
    assert _counts()[:5] == after[:5] and client_balance(buyer) == 120_000

    services.entry_cancel(entry=entry, actor=actor, reason="помилка")
    money.operation.refresh_from_db()
    assert money.operation.status == "cancelled"
