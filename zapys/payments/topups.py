"""The "top_up" purpose: a client pays online to raise their balance.

On success: a ledger DEBIT (purpose "top_up"), an income financial operation and a
sales receipt in the payment's branch, a staff notification and a confirmation message
to the client. On refund: a ledger CREDIT (purpose "refund") and an expense operation.
Everything runs inside the transition's transaction, so it happens exactly once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from zapys.core.money import format_money

if TYPE_CHECKING:
    from zapys.accounts.models import Branch
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment

logger = logging.getLogger(__name__)

TOP_UP = "top_up"
TOP_UP_RECEIVED_EVENT = "payment.top_up_received"


def _branch(payment: Payment) -> Branch | None:
    if payment.branch_id:
        return payment.branch
    from zapys.accounts.models import Branch

    return (
        Branch.objects.for_org(payment.organization).filter(is_active=True).order_by("id").first()
    )


def _ledger() -> Any:
    try:
        from zapys.ledger import services as ledger
    except ImportError:  # pragma: no cover - ledger not installed
        return None
    return ledger


class TopUpHandler:
    def on_succeeded(self, payment: Payment, actor: Actor) -> None:
        organization, client = payment.organization, payment.client
        if client is None:
            logger.warning("payments: top-up %s has no client; nothing credited", payment.pk)
            return
        ledger = _ledger()
        branch = _branch(payment)
        if ledger is not None:
            payment_type = None
            if branch is not None:
                payment_type = ledger.payment_type_for(
                    organization=organization, branch=branch, method="online"
                )
            ledger.entry_create(
                client=client,
                kind="debit",
                amount=payment.amount,
                purpose="top_up",
                actor=actor,
                cause=payment,
                comment=_("Online top-up, payment #%(id)s") % {"id": payment.pk},
                branch=branch,
                payment_type=payment_type,
            )
            if branch is not None and payment_type is not None:
                ledger.financial_operation_create(
                    organization=organization,
                    branch=branch,
                    kind="income",
                    amount=payment.amount,
                    actor=actor,
                    article=ledger.finance_article_for(organization=organization, code="top_ups"),
                    payment_type=payment_type,
                    cause=payment,
                    client=client,
                )
                ledger.sales_receipt_create(
                    organization=organization,
                    branch=branch,
                    client=client,
                    lines=[(_("Balance top-up"), payment.amount)],
                    payments=[(payment_type, payment.amount)],
                    actor=actor,
                    cause=payment,
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

    def on_failed(self, payment: Payment, actor: Actor) -> None:
        """Nothing was credited, so nothing to undo."""

    def on_refunded(self, payment: Payment, amount: int, actor: Actor) -> None:
        client = payment.client
        ledger = _ledger()
        if client is None or ledger is None:
            return
        branch = _branch(payment)
        payment_type = (
            ledger.payment_type_for(
                organization=payment.organization, branch=branch, method="online"
            )
            if branch is not None
            else None
        )
        ledger.entry_create(
            client=client,
            kind="credit",
            amount=amount,
            purpose="refund",
            actor=actor,
            cause=payment,
            comment=_("Refund of online payment #%(id)s") % {"id": payment.pk},
            branch=branch,
            payment_type=payment_type,
        )
        if branch is not None:
            ledger.financial_operation_create(
                organization=payment.organization,
                branch=branch,
                kind="expense",
                amount=amount,
                actor=actor,
                article=ledger.finance_article_for(
                    organization=payment.organization, code="refunds"
                ),
                payment_type=payment_type,
                cause=payment,
                client=client,
            )
