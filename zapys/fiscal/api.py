"""Fiscal receipts API (API.md "Fiscal receipts"): cash registers, receipts, retry."""

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from zapys.accounts.models import Branch
from zapys.core.api import Pagination, referenced_object, request_actor
from zapys.core.exceptions import NotFound
from zapys.core.schema_types import Id, Line
from zapys.fiscal import services
from zapys.fiscal.models import CashRegister, FiscalReceipt

router = Router(tags=["Fiscal receipts"])


class CashRegisterIn(Schema):
    branch_id: Id
    provider: Literal["checkbox"] = "checkbox"
    license_key: Annotated[str, Line(200, min_length=1)]
    cashier_login: Annotated[str, Line(200)] = ""
    cashier_password: Annotated[str, Line(200)] = ""
    cashier_pin: Annotated[str, Line(20)] = ""
    base_url: Annotated[str, Line(300)] | None = None


class CashRegisterOut(Schema):
    """Secrets are never returned."""

    id: int
    branch_id: int
    provider: str


@router.post(
    "/cash-registers",
    response={201: CashRegisterOut},
    summary="Set up the cash register of a branch (creates or replaces its credentials)",
)
def cash_register_create(request: HttpRequest, payload: CashRegisterIn) -> Any:
    branch = referenced_object(Branch, payload.branch_id, field="branch_id")
    register = services.register_save(
        organization=request.organization,  # type: ignore[attr-defined]
        branch=branch,
        actor=request_actor(request),
        license_key=payload.license_key,
        login=payload.cashier_login,
        password=payload.cashier_password,
        pin=payload.cashier_pin,
        base_url=payload.base_url or "",
    )
    return Status(201, register)


@router.get("/cash-registers", response=list[CashRegisterOut], summary="List cash registers")
@paginate(Pagination)
def cash_registers_list(request: HttpRequest) -> Any:
    return CashRegister.objects.order_by("id")


class FiscalReceiptOut(Schema):
    id: int
    payment_id: int | None
    kind: str
    amount: int
    status: str
    fiscal_code: str
    tax_url: str
    check_url: str
    error: str
    original_id: int | None
    created_at: Any
    done_at: Any


@router.get("/fiscal-receipts", response=list[FiscalReceiptOut], summary="List fiscal receipts")
@paginate(Pagination)
def fiscal_receipts_list(
    request: HttpRequest,
    payment_id: Id | None = None,
    status: Literal["", "pending", "done", "error"] = "",
) -> Any:
    receipts = FiscalReceipt.objects.order_by("-id")
    if payment_id is not None:
        receipts = receipts.filter(payment_id=payment_id)
    if status:
        receipts = receipts.filter(status=status)
    return receipts


@router.post(
    "/fiscal-receipts/{receipt_id}/retry",
    response=FiscalReceiptOut,
    summary="Send a failed fiscal receipt again, with the same idempotency id",
)
def fiscal_receipt_retry(request: HttpRequest, receipt_id: Id) -> Any:
    receipt = FiscalReceipt.objects.filter(pk=receipt_id).first()
    if receipt is None:
        raise NotFound(_("Unknown fiscal receipt."))
    services.receipt_retry(receipt=receipt, actor=request_actor(request))
    return receipt
