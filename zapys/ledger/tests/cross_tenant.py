"""Organization A cannot reach B's ledger, finance settings, operations or receipts."""

from __future__ import annotations

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_entry, make_payment_type
from zapys.accounts.models import Branch
from zapys.ledger import services
from zapys.ledger.models import Entry, FinanceArticle, FinancialOperation, PaymentType, SalesReceipt


def _entries_snapshot():
    return list(Entry.objects.order_by("id").values_list("id", "status", "amount", "kind"))


def _client_with_entry(victim):
    client = make_client(victim, "Victim client")
    entry = make_entry(client, amount=12_345)
    return client, entry


def _client_case(victim):
    client, entry = _client_with_entry(victim)
    return CaseInput(
        path_params={"client_id": client.pk},
        body={"kind": "debit", "amount": 100, "purpose": "payment"},
        foreign_ids=[entry.pk],
        snapshot=_entries_snapshot,
    )


def _entry_case(victim):
    _client, entry = _client_with_entry(victim)
    return CaseInput(
        path_params={"entry_id": entry.pk}, body={"reason": "x"}, snapshot=_entries_snapshot
    )


def _payment_types(victim):
    branch = Branch.objects.first()
    pt = make_payment_type(branch)
    return CaseInput(
        foreign_ids=[pt.pk],
        body={"branch_id": branch.pk, "method": "cash", "name": "Stolen till"},
        snapshot=lambda: list(PaymentType.objects.values_list("id", "name")),
    )


def _articles(victim):
    article = services.finance_article_for(organization=victim, code="membership_sales")
    return CaseInput(
        foreign_ids=[article.pk], snapshot=lambda: list(FinanceArticle.objects.values_list("id"))
    )


def _operations(victim):
    branch = Branch.objects.first()
    client = make_client(victim)
    op = services.financial_operation_create(
        organization=victim, branch=branch, kind="income", amount=500, actor=SYSTEM
    )
    return CaseInput(
        foreign_ids=[op.pk],
        body={"branch_id": branch.pk, "kind": "income", "amount": 100, "client_id": client.pk},
        snapshot=lambda: list(FinancialOperation.objects.values_list("id")),
    )


def _receipt(victim):
    branch = Branch.objects.first()
    client = make_client(victim)
    receipt = services.sales_receipt_create(
        organization=victim,
        branch=branch,
        client=client,
        lines=[("Thing", 1_000)],
        payments=[(make_payment_type(branch), 1_000)],
        actor=SYSTEM,
    )
    return CaseInput(
        path_params={"receipt_id": receipt.pk},
        foreign_ids=[receipt.pk],
        snapshot=lambda: list(SalesReceipt.objects.values_list("id", "total")),
    )


CASES = [
    CrossTenantCase("get", "/api/v1/clients/{client_id}/entries", _client_case),
    CrossTenantCase("post", "/api/v1/clients/{client_id}/entries", _client_case),
    CrossTenantCase("get", "/api/v1/clients/{client_id}/balance", _client_case),
    CrossTenantCase("get", "/api/v1/entries/{entry_id}", _entry_case),
    CrossTenantCase("post", "/api/v1/entries/{entry_id}/cancel", _entry_case),
    CrossTenantCase("get", "/api/v1/payment-types", _payment_types, kind="list"),
    CrossTenantCase("post", "/api/v1/payment-types", _payment_types, kind="create"),
    CrossTenantCase("get", "/api/v1/finance-articles", _articles, kind="list"),
    CrossTenantCase("get", "/api/v1/financial-operations", _operations, kind="list"),
    CrossTenantCase("post", "/api/v1/financial-operations", _operations, kind="create"),
    CrossTenantCase("get", "/api/v1/sales-receipts", _receipt, kind="list"),
    CrossTenantCase("get", "/api/v1/sales-receipts/{receipt_id}", _receipt),
]
