"""The "top_up" purpose: a client pays online to raise their balance.

On success: a ledger DEBIT (purpose "top_up"), an income financial operation and a
sales receipt in the payment's branch, a staff notification and a confirmation message
to the client. On refund: a ledger CREDIT (purpose "refund") and an expense operation.
Everything runs inside the transition's transaction, so it happens exactly once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.core.money import format_money
from zapys.ledger.models import Entry
from zapys.ledger.money import money_received_record, money_refunded_record
from zapys.payments.purposes import Purpose, purpose_declare

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment

logger = logging.getLogger(__name__)

TOP_UP = "top_up"
TOP_UP_RECEIVED_EVENT = "payment.top_up_received"


def top_up_succeeded(payment: Payment, actor: Actor) -> None:
    organization, client = payment.organization, payment.client
    if client is None:
        logger.warning("payments: top-up %s has no client; nothing credited", payment.pk)
        return
    money_received_record(
        client=client,
        amount=payment.amount,
        purpose=Entry.Purpose.TOP_UP,
        article="top_ups",
        actor=actor,
        cause=payment,
        comment=_("Online top-up, payment #%(id)s") % {"id": payment.pk},
        deposit_line=_("Balance top-up"),
        branch=payment.branch if payment.branch_id else None,
    )
    amount_text = format_money(payment.amount, payment.currency)
    from zapys.payments.services import notify_staff

    notify_staff(
        organization=organization,
        title=_("Top-up received: %(amount)s") % {"amount": amount_text},
        body=_("%(client)s topped up the balance online.") % {"client": client.name},
        related=payment,
    )
    try:
        from zapys.messaging.services import message_send
    except ImportError:  # pragma: no cover
        return
    message_send(
        organization=organization,
        event=TOP_UP_RECEIVED_EVENT,
        variables={
            "client": client,
            "amount": amount_text,
            "organization": {"name": organization.name},
        },
        actor=actor,
        client=client,
        related=payment,
        idempotency_key=f"payment:{payment.pk}:top_up_received",
    )


def top_up_failed(payment: Payment, actor: Actor) -> None:
    """Nothing was credited, so nothing to undo."""


def top_up_refunded(payment: Payment, amount: int, actor: Actor) -> None:
    if payment.client is None:
        return
    money_refunded_record(
        client=payment.client,
        amount=amount,
        actor=actor,
        cause=payment,
        comment=_("Refund of online payment #%(id)s") % {"id": payment.pk},
        branch=payment.branch if payment.branch_id else None,
    )


TOP_UP_PURPOSE = purpose_declare(
    Purpose(
        key=TOP_UP,
        label=gettext_lazy("Balance top-up"),
        on_succeeded=top_up_succeeded,
        on_failed=top_up_failed,
        on_refunded=top_up_refunded,
        # Back to the payment's own page, which says the balance was topped up.
        return_url=lambda payment: None,
    )
)
