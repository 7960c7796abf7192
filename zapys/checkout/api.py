"""The visit checkout API (API.md "Visit checkout and cancellation policy"):
`GET /visits/{id}/checkout` and `POST /visits/{id}/checkout`."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from zapys.checkout import selectors, services
from zapys.core.http import request_actor
from zapys.core.schema_types import Id, PositiveKopecks

router = Router(tags=["Schedule"])


class CoverOut(Schema):
    source: Literal["prepayment", "balance", "membership"]
    amount: int


class CheckoutOut(Schema):
    visit_id: int
    client_id: int
    price: int
    covered: list[CoverOut]
    due: int
    currency: str
    paid: bool
    payment_url: str | None = None
    receipt_id: int | None = None


class PaymentIn(Schema):
    method: Literal["cash", "card", "balance", "online_link"]
    amount: PositiveKopecks


class CheckoutIn(Schema):
    payments: list[PaymentIn] = Field(default_factory=list, max_length=10)
    client_id: Id | None = Field(
        None, description="the participant of a group lesson (an appointment: its client)"
    )


def _out(summary: services.ParticipantCheckout) -> dict:
    row = summary.checkout
    return {
        "visit_id": summary.visit.pk,
        "client_id": summary.attendance.client_id,
        "price": summary.price,
        "covered": [{"source": c.source, "amount": c.amount} for c in summary.covered],
        "due": summary.due,
        "currency": summary.visit.organization.currency,
        "paid": summary.paid,
        "payment_url": summary.payment_url,
        "receipt_id": row.receipt_id if row is not None else None,
    }


@router.get(
    "/visits/{visit_id}/checkout",
    response=CheckoutOut,
    summary="What the client owes for the visit",
    openapi_extra={"x-errors": [400]},  # a lesson's participant not named or not on it
)
def checkout_get(request: HttpRequest, visit_id: Id, client_id: Id | None = None):
    visit = selectors.visit_get(visit_id=visit_id)
    return _out(services.checkout_summary(visit, client_id))


@router.post(
    "/visits/{visit_id}/checkout",
    response=CheckoutOut,
    summary="Take payment for the visit",
)
def checkout_post(request: HttpRequest, visit_id: Id, payload: CheckoutIn):
    visit = selectors.visit_get(visit_id=visit_id)
    result = services.visit_checkout(
        visit=visit,
        client_id=payload.client_id,
        payments=[services.PaymentIn(p.method, p.amount) for p in payload.payments],
        actor=request_actor(request),
    )
    return _out(result.summary)
