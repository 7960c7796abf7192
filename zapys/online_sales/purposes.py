"""The "online_sale" way of getting paid: a stranger buys a membership plan online (O3).

Declared for `payments.purposes`; each transition runs inside the payment's transaction,
with the payment row locked, once. Succeeded: the money is recorded with no client yet and
the sale gets its activation code (`services.online_sale_paid`). Refunded: the sale is
reversed (`services.online_sale_refunded`). The checkout offers "Try again" after a declined
card; no balance (the buyer has none) and no agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.online_sales.models import OnlineSale
from zapys.online_sales.services import (
    PURPOSE,
    online_sale_paid,
    online_sale_refunded,
    online_sale_retry,
    sale_for_payment,
)
from zapys.payments.purposes import Purpose, purpose_declare

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment


def online_sale_succeeded(payment: Payment, actor: Actor) -> None:
    online_sale_paid(payment=payment, actor=actor)


def online_sale_failed(payment: Payment, actor: Actor) -> None:
    """Nothing was recorded: the sale keeps waiting and the buyer may try again."""


def online_sale_refunded_step(payment: Payment, amount: int, actor: Actor) -> None:
    online_sale_refunded(payment=payment, amount=amount, actor=actor)


def online_sale_return_url(payment: Payment) -> str | None:
    """Back from the provider: the sale's own page, which waits for the confirmation and
    then shows the membership and the activation code."""
    sale = sale_for_payment(payment)
    return f"{sale.success_url}?return=1" if sale is not None else None


def online_sale_describe(payment: Payment) -> str:
    sale = sale_for_payment(payment)
    if sale is None:
        return payment.description
    return _("Membership “%(plan)s”") % {"plan": sale.plan_name}


def online_sale_clients(payments: Sequence[Payment]) -> dict[int, Any]:
    """The client each paid sale was attached to, {payment id: client}: one query."""
    sales = OnlineSale.objects.filter(
        payment_id__in=[p.pk for p in payments], client__isnull=False
    ).select_related("client")
    return {sale.payment_id: sale.client for sale in sales}


def online_sale_retry_step(payment: Payment, actor: Actor) -> Payment:
    return online_sale_retry(payment=payment, actor=actor)


ONLINE_SALE = purpose_declare(
    Purpose(
        key=PURPOSE,
        label=gettext_lazy("Online membership sale"),
        on_succeeded=online_sale_succeeded,
        on_failed=online_sale_failed,
        on_refunded=online_sale_refunded_step,
        return_url=online_sale_return_url,
        retry=online_sale_retry_step,
        describe=online_sale_describe,
        clients=online_sale_clients,
    )
)
