"""Held for review: automatic crediting stops and a person is asked to look (a mismatch, a
refund nobody asked for, a purpose that failed); a person releases it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_noop

from zapys.core.audit import Actor, audit_record
from zapys.core.money import Money
from zapys.core.stored_text import StoredText
from zapys.messaging.services import staff_notify
from zapys.payments.models import Payment
from zapys.payments.purposes import purpose_text
from zapys.payments.services.state import _scoped

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


def notify_staff(
    *,
    organization: Organization,
    title: str | StoredText,
    body: str | StoredText = "",
    related: Any = None,
    level: str = "warning",
) -> None:
    """A staff notification about a payment (the bell, and the staff's channels): "warning"
    asks a person to look; money that arrived as expected is good news ("success")."""
    staff_notify(
        organization=organization,
        title=title,
        body=body,
        related=related,
        url=getattr(related, "staff_url", "") if related is not None else "",
        level=level,
    )


def payment_hold(
    *, payment: Payment, reason: str | StoredText, actor: Actor, notify: bool = True
) -> None:
    """Stop automatic crediting and ask a person to look (staff are notified). The payment
    keeps the reason as text (its page and the API show it); the notification keeps a
    `StoredText` reason so each reader sees it in their language."""
    told = reason
    if isinstance(reason, StoredText):
        reason = reason.render()
    with transaction.atomic():
        _scoped(payment).update(held_for_review=True, review_reason=reason[:300])
        payment.held_for_review, payment.review_reason = True, reason[:300]
        audit_record(
            organization=payment.organization,
            actor=actor,
            action="payment.held_for_review",
            obj=payment,
            # a `StoredText` reason reads in each reader's language (`core.audit`)
            changes={"review_reason": [None, told]},
        )
        if not notify:
            return
        notify_staff(
            organization=payment.organization,
            title=StoredText(
                gettext_noop("Online payment of %(amount)s (%(what)s) needs review"),
                amount=Money(payment.amount, payment.currency),
                what=purpose_text(payment, lower=True),
            ),
            body=told,
            related=payment,
        )


@transaction.atomic
def payment_release(*, payment: Payment, actor: Actor) -> Payment:
    """A person checked a held payment: clear the flag (crediting is done by hand)."""
    _scoped(payment).update(held_for_review=False)
    payment.held_for_review = False
    audit_record(
        organization=payment.organization,
        actor=actor,
        action="payment.review_cleared",
        obj=payment,
        changes={"held_for_review": [True, False]},
    )
    return payment
