"""Ledger API (API.md "Clients and ledger"): entries, cancel, balance; finance: payment
types, articles, financial operations, sales receipts."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zapys.accounts.models import Branch
from zapys.clients.models import Client
from zapys.clients.selectors import client_get
from zapys.core.api import Pagination, referenced_object, request_actor
from zapys.core.schema_types import MAX_KOPECKS, Date, Id, Line, PositiveKopecks
from zapys.ledger import selectors, services
from zapys.ledger.models import (
    Account,
    Entry,
    FinanceArticle,
    FinancialOperation,
    PaymentType,
    SalesReceipt,
)

router = Router(tags=["Ledger and finance"])

PurposeLiteral = Literal[
    "payment",
    "top_up",
    "prepayment",
    "membership_sale",
    "service",
    "refund",
    "correction",
    "opening_balance",
    "invoice_payment",
    "fee",
    "service_fee",
    "other",
]
assert set(PurposeLiteral.__args__) == set(Entry.Purpose.values)  # type: ignore[attr-defined]
# One limit for money everywhere: what the API accepts, the ledger can record.
assert services.MAX_AMOUNT == MAX_KOPECKS
Comment = Annotated[str, Line(500)]


def _currency(request: HttpRequest) -> str:
    return request.organization.currency  # type: ignore[attr-defined]


# --- Entries --------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    kind: str
    amount: int
    currency: str
    status: str
    purpose: str
    comment: str
    created_at: datetime
    created_by: str
    cause_type: str
    cause_id: str
    account_id: int
    client_id: int
    branch_id: int | None
    payment_type_id: int | None
    cancelled_at: datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_currency(obj: Entry) -> str:
        return obj.organization.currency

    @staticmethod
    def resolve_created_by(obj: Entry) -> str:
        return obj.created_by_label


class EntryIn(Schema):
    kind: Literal["debit", "credit"]
    amount: PositiveKopecks
    purpose: PurposeLiteral | None = None
    comment: Comment = ""
    account_id: Id | None = None
    branch_id: Id | None = None
    payment_type_id: Id | None = None


class EntryCancelIn(Schema):
    reason: Comment = ""


class AccountBalanceOut(Schema):
    id: int
    kind: str
    name: str
    balance: int


class BalanceOut(Schema):
    client_id: int
    balance: int
    currency: str
    accounts: list[AccountBalanceOut]


def _entries() -> Any:
    return Entry.objects.select_related("organization")


@router.get("/clients/{client_id}/entries", response=list[EntryOut], summary="Client's ledger")
@paginate(Pagination)
def client_entries(
    request: HttpRequest,
    client_id: Id,
    status: Literal["active", "cancelled"] | None = None,
    account_id: Id | None = None,
):
    client = client_get(client_id=client_id)
    qs = selectors.client_entries(client=client).select_related("organization")
    if status:
        qs = qs.filter(status=status)
    if account_id:
        qs = qs.filter(account_id=account_id)
    return qs


@router.post("/clients/{client_id}/entries", response={201: EntryOut}, summary="Add a ledger entry")
def client_entry_create(request: HttpRequest, client_id: Id, payload: EntryIn):
    client = client_get(client_id=client_id)
    purpose = payload.purpose or ("payment" if payload.kind == "debit" else "service")
    account = referenced_object(Account, payload.account_id, field="account_id", status=400)
    # API.md's body is `{kind, amount, purpose?, comment?}`: a payment without its method
    # stays accepted here (the stable surface), unlike the staff form; docs/architecture.md
    entry = services.entry_create(
        client=client,
        kind=payload.kind,
        amount=payload.amount,
        purpose=purpose,
        comment=payload.comment,
        account=account,
        branch=referenced_object(Branch, payload.branch_id, field="branch_id", status=400),
        payment_type=referenced_object(
            PaymentType, payload.payment_type_id, field="payment_type_id", status=400
        ),
        actor=request_actor(request),
    )
    return 201, _entries().get(pk=entry.pk)


@router.get("/clients/{client_id}/balance", response=BalanceOut, summary="Client's balance")
def client_balance(request: HttpRequest, client_id: Id):
    client = client_get(client_id=client_id)
    accounts = selectors.account_balances_for_client(client)
    return {
        "client_id": client.pk,
        "balance": selectors.client_balance(client),
        "currency": _currency(request),
        "accounts": [
            {"id": a.pk, "kind": a.kind, "name": str(a), "balance": b} for a, b in accounts
        ],
    }


@router.get("/entries/{entry_id}", response=EntryOut, summary="Get a ledger entry")
def entry_get(request: HttpRequest, entry_id: Id):
    return get_object_or_404(_entries(), pk=entry_id)


@router.post("/entries/{entry_id}/cancel", response=EntryOut, summary="Cancel a ledger entry")
def entry_cancel(request: HttpRequest, entry_id: Id, payload: EntryCancelIn | None = None):
    entry = get_object_or_404(_entries(), pk=entry_id)
    cancelled = services.entry_cancel(
        entry=entry, actor=request_actor(request), reason=payload.reason if payload else ""
    )
    return _entries().get(pk=cancelled.pk)


# --- Payment types, articles -------------------------------------------------------------


class PaymentTypeOut(Schema):
    id: int
    branch_id: int
    method: str
    name: str
    is_default: bool
    is_active: bool


class PaymentTypeIn(Schema):
    branch_id: Id
    method: Literal["cash", "card", "online"]
    name: Annotated[str, Line(100, min_length=1)]
    is_default: bool = False


@router.get("/payment-types", response=list[PaymentTypeOut], summary="List payment types")
@paginate(Pagination)
def payment_types_list(request: HttpRequest, branch_id: Id | None = None):
    return selectors.payment_types_list(branch_id=branch_id)


@router.post("/payment-types", response={201: PaymentTypeOut}, summary="Create a payment type")
def payment_types_create(request: HttpRequest, payload: PaymentTypeIn):
    branch = referenced_object(Branch, payload.branch_id, field="branch_id", status=400)
    return 201, services.payment_type_create(
        organization=request.organization,  # type: ignore[attr-defined]
        branch=branch,
        method=payload.method,
        name=payload.name,
        is_default=payload.is_default,
        actor=request_actor(request),
    )


class ArticleOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    is_archived: bool


@router.get("/finance-articles", response=list[ArticleOut], summary="List finance articles")
@paginate(Pagination)
def articles_list(request: HttpRequest, kind: Literal["income", "expense"] | None = None):
    return selectors.articles_list(kind=kind)


# --- Financial operations ---------------------------------------------------------------


class OperationOut(Schema):
    id: int
    kind: str
    amount: int
    currency: str
    branch_id: int
    article_id: int | None
    payment_type_id: int | None
    client_id: int | None
    comment: str
    cause_type: str
    cause_id: str
    entry_id: int | None = Field(
        None, description="the client's ledger entry this money is (a payment or a refund)"
    )
    status: str = Field(
        description='"active" or "cancelled" (its ledger entry was cancelled; never counted)'
    )
    cancelled_at: datetime | None
    created_at: datetime
    created_by: str

    @staticmethod
    def resolve_currency(obj: FinancialOperation) -> str:
        return obj.organization.currency

    @staticmethod
    def resolve_created_by(obj: FinancialOperation) -> str:
        return obj.created_by_label


class OperationIn(Schema):
    branch_id: Id
    kind: Literal["income", "expense"]
    amount: PositiveKopecks
    article_id: Id | None = None
    payment_type_id: Id | None = None
    client_id: Id | None = None
    comment: Comment = ""


@router.get(
    "/financial-operations", response=list[OperationOut], summary="List financial operations"
)
@paginate(Pagination)
def operations_list(
    request: HttpRequest,
    date_from: Date | None = None,
    date_to: Date | None = None,
    branch_id: Id | None = None,
    kind: Literal["income", "expense"] | None = None,
    include_cancelled: bool = False,
):
    return selectors.operations_list(
        date_from=date_from,
        date_to=date_to,
        branch_id=branch_id,
        kind=kind or "",
        include_cancelled=include_cancelled,
    ).select_related("organization")


@router.post(
    "/financial-operations", response={201: OperationOut}, summary="Record income or expense"
)
def operations_create(request: HttpRequest, payload: OperationIn):
    op = services.financial_operation_create(
        organization=request.organization,  # type: ignore[attr-defined]
        branch=referenced_object(Branch, payload.branch_id, field="branch_id", status=400),
        kind=payload.kind,
        amount=payload.amount,
        article=referenced_object(
            FinanceArticle, payload.article_id, field="article_id", status=400
        ),
        payment_type=referenced_object(
            PaymentType, payload.payment_type_id, field="payment_type_id", status=400
        ),
        client=_client_or_error(payload.client_id),
        comment=payload.comment,
        actor=request_actor(request),
    )
    return 201, FinancialOperation.objects.select_related("organization").get(pk=op.pk)


def _client_or_error(client_id: int | None) -> Any:
    if client_id is None:
        return None

    return referenced_object(Client, client_id, field="client_id", status=400)


# --- Sales receipts -------------------------------------------------------------------


class ReceiptLineOut(Schema):
    name: str
    amount: int
    status: str = Field(description='"active" or "cancelled" (not counted in the total)')
    entry_id: int | None


class ReceiptPaymentOut(Schema):
    payment_type_id: int
    payment_type: str
    method: str
    amount: int
    status: str = Field(description='"active" or "cancelled" (not counted as paid)')
    entry_id: int | None

    @staticmethod
    def resolve_payment_type(obj: Any) -> str:
        return obj.payment_type.name

    @staticmethod
    def resolve_method(obj: Any) -> str:
        return obj.payment_type.method


class ReceiptOut(Schema):
    id: int
    branch_id: int
    client_id: int | None
    total: int = Field(description="kopecks: the sum of the active lines")
    paid: int = Field(description="kopecks: the sum of the active payments")
    currency: str
    cause_type: str
    cause_id: str
    created_at: datetime
    lines: list[ReceiptLineOut]
    payments: list[ReceiptPaymentOut]

    @staticmethod
    def resolve_currency(obj: SalesReceipt) -> str:
        return obj.organization.currency

    @staticmethod
    def resolve_lines(obj: SalesReceipt) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_payments(obj: SalesReceipt) -> list[Any]:
        return list(obj.payments.all())


def _receipts() -> Any:
    return selectors.receipts_list().select_related("organization")


@router.get("/sales-receipts", response=list[ReceiptOut], summary="List sales receipts")
@paginate(Pagination)
def receipts_list(
    request: HttpRequest,
    day: Date | None = None,
    branch_id: Id | None = None,
    client_id: Id | None = None,
):
    return selectors.receipts_list(
        day=day, branch_id=branch_id, client_id=client_id
    ).select_related("organization")


@router.get("/sales-receipts/{receipt_id}", response=ReceiptOut, summary="Get a sales receipt")
def receipts_get(request: HttpRequest, receipt_id: Id):
    return get_object_or_404(_receipts(), pk=receipt_id)
