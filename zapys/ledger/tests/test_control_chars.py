"""Control characters in ledger text people type (entry and operation comments, cancel
reasons, names of payment types, cash desks, articles, receipt lines) are stripped by the
services: a NUL breaks PostgreSQL, a vertical tab or escape breaks the XLSX export."""

from __future__ import annotations

import pytest

from tests.factories_ledger import make_client, make_entry, make_payment_type
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.ledger import services
from zapys.ledger.models import (
    CashDesk,
    Entry,
    FinanceArticle,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
    SalesReceiptLine,
)


def test_entry_comment_and_cancel_reason_are_cleaned(org, actor):
    entry = make_entry(make_client(org), comment="за\x00 серпень\x1b\nготівкою\x0b")
    assert Entry.objects.get(pk=entry.pk).comment == "за серпень\nготівкою"
    services.entry_cancel(entry=entry, actor=actor, reason="опи\x00ска\x0b")
    assert Entry.objects.get(pk=entry.pk).cancel_reason == "описка"
    audit = AuditLog.objects.get(action="ledger.entry_cancel")
    assert audit.changes["reason"] == [None, "описка"]


def test_comment_length_is_checked_after_cleaning(org):
    client = make_client(org)
    entry = make_entry(client, comment="а" * 500 + "\x00" * 10)
    assert Entry.objects.get(pk=entry.pk).comment == "а" * 500


def test_names_and_operation_comment_are_cleaned(org, branch, actor):
    pt = services.payment_type_create(
        organization=org, branch=branch, method="card", name="Тер\x00мінал\x0b", actor=actor
    )
    desk = services.cash_desk_create(
        organization=org, branch=branch, name="Ка\x1bса 1", actor=actor
    )
    article = services.finance_article_create(
        organization=org, kind="expense", name="Орен\x00да", actor=actor
    )
    op = services.financial_operation_create(
        organization=org,
        branch=branch,
        kind="expense",
        amount=30_000,
        article=article,
        payment_type=pt,
        comment="за\x00 березень\nофіс\x1b",
        actor=actor,
    )
    assert PaymentType.objects.get(pk=pt.pk).name == "Термінал"
    assert CashDesk.objects.get(pk=desk.pk).name == "Каса 1"
    assert FinanceArticle.objects.get(pk=article.pk).name == "Оренда"
    assert FinancialOperation.objects.get(pk=op.pk).comment == "за березень\nофіс"


def test_receipt_line_names_are_cleaned_and_a_blank_one_refused(org, branch, actor):
    client = make_client(org)
    pt = make_payment_type(branch)
    services.sales_receipt_create(
        organization=org,
        branch=branch,
        client=client,
        lines=[("Стриж\x00ка\x0b", 10_000)],
        payments=[(pt, 10_000)],
        actor=actor,
    )
    assert list(SalesReceiptLine.objects.values_list("name", flat=True)) == ["Стрижка"]
    with pytest.raises(DomainError):
        services.sales_receipt_create(
            organization=org,
            branch=branch,
            client=client,
            lines=[("\x00\x1b", 10_000)],
            payments=[],
            actor=actor,
        )
    assert (SalesReceipt.objects.count(), SalesReceiptLine.objects.count()) == (1, 1)
