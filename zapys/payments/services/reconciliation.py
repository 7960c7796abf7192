"""Reconciliation (X8): ask the provider about one payment and apply the answer through the
callback's path, so a lost callback is recovered."""

from __future__ import annotations

import logging

from zapys.core.audit import Actor
from zapys.payments.gateway import provider_for
from zapys.payments.models import Payment, PaymentEvent
from zapys.payments.providers import PaymentNotFound, ProviderError
from zapys.payments.services.events import payment_event_process

logger = logging.getLogger(__name__)


def payment_reconcile(*, payment: Payment, actor: Actor | None = None) -> str:
    """Ask the provider about one payment and apply the answer through the same path
    as a callback (X8: a lost callback is recovered). Returns a short outcome."""
    actor = actor or Actor.scheduler("payments.reconcile")
    try:
        event = provider_for(payment.account).fetch_status(payment.order_id)
    except PaymentNotFound:
        return "not_found"
    except ProviderError as exc:
        logger.info("payments: status of %s unavailable: %s", payment.pk, exc)
        return "error"
    if event.status == "pending":
        return "pending"
    return payment_event_process(
        account=payment.account, event=event, source=PaymentEvent.Source.POLL, actor=actor
    )
