"""Refunds to the card: reserved, asked of the provider outside any transaction, recorded
once (now, or when the provider's callback confirms it)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.money import format_money
from zapys.payments.gateway import provider_for
from zapys.payments.models import Payment, PaymentRefund
from zapys.payments.providers import ProviderError
from zapys.payments.services.state import PAID_STATUSES, S, _scoped
from zapys.payments.services.transitions import _purpose_step

logger = logging.getLogger(__name__)


def _refund_confirm(
    *, payment: Payment, refund: PaymentRefund, actor: Actor, via_callback: bool
) -> bool:
    """Record a confirmed refund on the (locked) payment, once."""
    with transaction.atomic():
        claimed = (
            PaymentRefund.objects.for_org(payment.organization)
            .filter(pk=refund.pk, status=PaymentRefund.Status.PENDING)
            .update(
                status=PaymentRefund.Status.SUCCEEDED,
                confirmed_at=timezone.now(),
                callback_seen=via_callback,
            )
        )
        if claimed != 1:
            return False
        total = payment.refunded_amount + refund.amount
        to = S.REFUNDED if total >= payment.amount else S.PARTIALLY_REFUNDED
        moved = (
            _scoped(payment)
            .filter(status__in=PAID_STATUSES, refunded_amount=payment.refunded_amount)
            .update(status=to, refunded_amount=total, updated_at=timezone.now())
        )
        if moved != 1:
            raise Conflict(_("The payment changed while the refund was recorded."))
        payment.status, payment.refunded_amount = to, total
        _purpose_step(payment, "on_refunded", refund.amount, actor)
        audit_record(
            organization=payment.organization,
            actor=actor,
            action="payment.refunded",
            obj=payment,
            changes={"refunded_amount": [total - refund.amount, total], "status": [None, to]},
        )
    return True


def payment_refund(
    *, payment: Payment, actor: Actor, amount: int | None = None, comment: str = ""
) -> Payment:
    """Refund all (`amount=None`) or part of a paid payment through its provider.

    1. Reserve: a pending PaymentRefund row (committed, so a refund in flight is
       visible and cannot be asked twice beyond the paid amount).
    2. Ask the provider — outside any transaction: no row lock is held over HTTP.
    3. Confirmed now → record it; confirmed later → the provider's callback does.
    A provider timeout or error marks the request failed and changes nothing else.
    """
    organization = payment.organization
    with transaction.atomic():
        locked = _scoped(payment).select_for_update().select_related("account").get()
        if locked.status not in PAID_STATUSES:
            raise Conflict(_("Only a paid payment can be refunded."), field="amount")
        in_flight = (
            PaymentRefund.objects.for_org(organization)
            .filter(payment=locked, status=PaymentRefund.Status.PENDING)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        available = locked.amount - locked.refunded_amount - in_flight
        if amount is None:
            amount = available
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise DomainError(_("The refund amount must be greater than zero."), field="amount")
        if amount > available:
            raise DomainError(
                _("At most %(max)s can be refunded.")
                % {"max": format_money(max(available, 0), locked.currency)},
                field="amount",
            )
        refund = PaymentRefund.objects.create(
            organization=organization, payment=locked, amount=amount, created_by=actor.label[:200]
        )
        audit_record(
            organization=organization,
            actor=actor,
            action="payment.refund_requested",
            obj=locked,
            changes={"amount": [None, amount]},
        )
    refunds = PaymentRefund.objects.for_org(organization).filter(pk=refund.pk)
    try:
        result = provider_for(locked.account).refund(
            order_id=locked.order_id,
            amount=amount,
            currency=locked.currency,
            comment=comment or _("Refund of payment #%(id)s") % {"id": locked.pk},
        )
    except ProviderError as exc:
        logger.warning("payments: refund of %s failed: %s", locked.pk, exc)
        refunds.filter(status=PaymentRefund.Status.PENDING).update(
            status=PaymentRefund.Status.FAILED, message=str(exc)[:300]
        )
        raise DomainError(
            _(
                "The payment provider did not answer, so nothing was refunded. "
                "Try again in a few minutes."
            ),
            status=502,
        ) from exc
    if result.status == "failed":
        refunds.filter(status=PaymentRefund.Status.PENDING).update(
            status=PaymentRefund.Status.FAILED,
            provider_status=result.provider_status[:40],
            message=result.message[:300],
        )
        raise Conflict(
            _("The payment service refused the refund: %(reason)s")
            % {"reason": result.message or result.provider_status}
        )
    refunds.update(provider_status=result.provider_status[:40])
    if result.status == "succeeded":
        with transaction.atomic():
            locked = _scoped(payment).select_for_update().get()
            locked.organization = organization
            refund.refresh_from_db()
            _refund_confirm(payment=locked, refund=refund, actor=actor, via_callback=False)
    return _scoped(payment).select_related("account").get()
