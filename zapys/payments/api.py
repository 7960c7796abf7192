"""Payment accounts, payments and refunds (API.md). Payments are created by the apps that take
them, in their own APIs (each way of getting paid is its own app)."""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from zapys.core.api import Pagination
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import Id, Line, PositiveKopecks
from zapys.payments import selectors, services
from zapys.payments.models import Payment, PaymentAccount

router = Router(tags=["Payments"])

Credential = Annotated[str, Line(200)]
PaymentStatus = Literal[
    "", "created", "pending", "succeeded", "failed", "expired", "refunded", "partially_refunded"
]
assert set(PaymentStatus.__args__) - {""} == set(Payment.Status.values)  # type: ignore[attr-defined]


class PaymentAccountIn(Schema):
    provider: Literal["liqpay", "wayforpay", "sandbox"]
    name: Annotated[str, Line(100)] = ""
    public_key: Credential = ""
    private_key: Credential = ""
    sandbox: bool = False
    merchant_account: Credential = ""
    secret_key: Credential = ""
    merchant_domain: Credential = ""
    is_default: bool | None = None


class PaymentAccountOut(Schema):
    """Never any secret: only what identifies the account."""

    id: int
    provider: str
    name: str
    account_key: str
    is_default: bool
    active: bool
    created_at: datetime

    @staticmethod
    def resolve_active(obj: PaymentAccount) -> bool:
        return obj.is_active


class PaymentOut(Schema):
    id: int
    status: str
    amount: int
    refunded_amount: int
    currency: str
    provider: str
    purpose: str
    purpose_type: str
    purpose_id: str
    client_id: int | None
    payment_account_id: int
    description: str
    payment_url: str
    held_for_review: bool
    review_reason: str
    expires_at: datetime | None
    paid_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_provider(obj: Payment) -> str:
        return obj.account.provider

    @staticmethod
    def resolve_payment_account_id(obj: Payment) -> int:
        return obj.account_id


class RefundIn(Schema):
    amount: PositiveKopecks | None = Field(default=None, description="Kopecks; default: all")


@router.post(
    "/payment-accounts", response={201: PaymentAccountOut}, summary="Add a payment account"
)
def payment_account_create(request: HttpRequest, payload: PaymentAccountIn):
    data = payload.model_dump()
    account = services.payment_account_create(
        organization=request_organization(request),
        provider=data.pop("provider"),
        name=data.pop("name"),
        is_default=data.pop("is_default"),
        credentials=data,
        actor=request_actor(request),
    )
    return Status(201, account)


@router.get("/payment-accounts", response=list[PaymentAccountOut], summary="List payment accounts")
@paginate(Pagination)
def payment_accounts_list(request: HttpRequest):
    return selectors.account_list()


@router.get(
    "/payment-accounts/{account_id}", response=PaymentAccountOut, summary="Get a payment account"
)
def payment_account_get(request: HttpRequest, account_id: Id):
    return selectors.account_get(account_id=account_id)


@router.get("/payments", response=list[PaymentOut], summary="List online payments")
@paginate(Pagination)
def payments_list(
    request: HttpRequest,
    status: PaymentStatus | None = None,
    purpose: Annotated[str, Line(40)] | None = None,
    client_id: Id | None = None,
):
    return selectors.payment_list(
        selectors.PaymentFilters(status=status or "", purpose=purpose or "", client_id=client_id)
    )


@router.get("/payments/{payment_id}", response=PaymentOut, summary="Get a payment")
def payment_get(request: HttpRequest, payment_id: Id):
    return selectors.payment_get(payment_id=payment_id)


@router.post(
    "/payments/{payment_id}/refund", response=PaymentOut, summary="Refund a payment to the card"
)
def payment_refund(request: HttpRequest, payment_id: Id, payload: RefundIn):
    payment = selectors.payment_get(payment_id=payment_id)
    return services.payment_refund(
        payment=payment, amount=payload.amount, actor=request_actor(request)
    )
