"""Balance top-ups (API.md: `POST /clients/{id}/top-ups`)."""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from zapys.clients.selectors import client_get
from zapys.core.http import request_actor
from zapys.core.schema_types import Id, PositiveKopecks
from zapys.payments.selectors import account_get
from zapys.topups import services

# Listed with the payments it creates, as API.md documents it.
router = Router(tags=["Payments"])


class TopUpIn(Schema):
    amount: PositiveKopecks
    payment_account_id: Id | None = None


class TopUpOut(Schema):
    payment_id: int
    status: str
    amount: int
    currency: str
    payment_url: str


@router.post(
    "/clients/{client_id}/top-ups",
    response={201: TopUpOut},
    summary="Create a balance top-up payment link",
    # The id it had under payments: clients generated from the schema keep calling it.
    operation_id="zapys_payments_api_topup_create",
)
def topup_create(request: HttpRequest, client_id: Id, payload: TopUpIn):
    client = client_get(client_id=client_id)  # a foreign, missing or deleted client: 404
    account = None
    if payload.payment_account_id is not None:
        account = account_get(account_id=payload.payment_account_id)
    payment = services.topup_create(
        client=client, amount=payload.amount, account=account, actor=request_actor(request)
    )
    return Status(
        201,
        {
            "payment_id": payment.pk,
            "status": payment.status,
            "amount": payment.amount,
            "currency": payment.currency,
            "payment_url": payment.payment_url,
        },
    )
