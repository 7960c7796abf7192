"""Provider events — callbacks and polls — through one path (DESIGN rule 6): verify, store
the raw event under a UNIQUE dedupe key, lock the payment, check it matches, transition,
record the outcome; the provider gets the reply it expects whatever happened."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from zapys.core.audit import Actor
from zapys.core.money import Money
from zapys.core.stored_text import StoredText
from zapys.payments import sql
from zapys.payments.gateway import provider_for
from zapys.payments.models import Payment, PaymentAccount, PaymentEvent, PaymentRefund
from zapys.payments.providers import CallbackReply, ProviderEvent
from zapys.payments.services.refunds import _refund_confirm
from zapys.payments.services.review import payment_hold
from zapys.payments.services.state import PAID_STATUSES, S
from zapys.payments.services.transitions import (
    PurposeFailed,
    _expire,
    _fail,
    _move_without_purpose,
    _succeed,
)

logger = logging.getLogger(__name__)


def _dedupe_key(event: ProviderEvent) -> str:
    key = event.event_id or f"{event.order_id}:{event.provider_status}"
    return key if len(key) <= 300 else hashlib.sha256(key.encode()).hexdigest()


def _mismatch(payment: Payment, event: ProviderEvent) -> StoredText | None:
    if event.amount != payment.amount:
        return StoredText(
            gettext_noop(
                "Amount mismatch: the payment service reports %(got)s, expected %(want)s."
            ),
            got="—" if event.amount is None else Money(event.amount, payment.currency),
            want=Money(payment.amount, payment.currency),
        )
    if (event.currency or "").upper() != payment.currency:
        return StoredText(
            gettext_noop(
                "Currency mismatch: the payment service reports %(got)s, expected %(want)s."
            ),
            got=event.currency or "—",
            want=payment.currency,
        )
    return None


def _apply_event(payment: Payment, event: ProviderEvent, actor: Actor) -> tuple[str, str]:
    """Transition the locked payment as the verified event says. → (outcome, note)."""
    Out = PaymentEvent.Outcome
    if event.status == "succeeded":
        if payment.status in (*PAID_STATUSES, S.REFUNDED):
            return Out.NO_CHANGE, ""
        problem = _mismatch(payment, event)
        if problem is not None:
            if not payment.held_for_review:
                payment_hold(payment=payment, reason=problem, actor=actor)
            return Out.HELD, problem.render()
        if payment.held_for_review:
            return Out.HELD, payment.review_reason
        moved = _succeed(payment, actor, event)
        return (Out.APPLIED if moved else Out.NO_CHANGE), ""
    if event.status == "failed":
        moved = _fail(payment, actor, event)
        return (Out.APPLIED if moved else Out.NO_CHANGE), ""
    if event.status == "expired":
        moved = _expire(payment, actor)
        return (Out.APPLIED if moved else Out.NO_CHANGE), ""
    if event.status in ("refunded", "partially_refunded"):
        return _apply_refund_event(payment, actor, event)
    return Out.NO_CHANGE, ""


def _apply_refund_event(payment: Payment, actor: Actor, event: ProviderEvent) -> tuple[str, str]:
    """The provider says money went back. Match it to a refund Zapys asked for; one made in
    the provider's own dashboard is recorded like one made from Zapys (`_external_refund`)."""
    Out = PaymentEvent.Outcome
    refunds = PaymentRefund.objects.for_org(payment.organization).filter(payment=payment)
    pending = refunds.filter(status=PaymentRefund.Status.PENDING).first()
    if pending is not None:
        _refund_confirm(payment=payment, refund=pending, actor=actor, via_callback=True)
        return Out.APPLIED, ""
    unseen = refunds.filter(status=PaymentRefund.Status.SUCCEEDED, callback_seen=False).first()
    if unseen is not None:
        PaymentRefund.objects.for_org(payment.organization).filter(pk=unseen.pk).update(
            callback_seen=True
        )
        return Out.NO_CHANGE, ""
    if payment.status == S.REFUNDED:
        return Out.NO_CHANGE, ""
    if payment.status in PAID_STATUSES and event.refunded_total is not None:
        # Made in the provider's dashboard, and the provider says how much went back in all;
        # a report of nothing beyond what is recorded (a resend, a poll) changes nothing.
        return (Out.APPLIED if _external_refund(payment, actor, event) else Out.NO_CHANGE), ""
    # The provider does not say how much (WayForPay's `Refunded`/`Voided`; a LiqPay
    # `reversed` without `refund_amount`) and it may be a part: a person looks rather than
    # Zapys guessing the whole.
    reason = StoredText(
        gettext_noop("The payment service reports a refund that Zapys did not request or record.")
    )
    payment_hold(payment=payment, reason=reason, actor=actor)
    return Out.HELD, reason.render()


def _external_refund(payment: Payment, actor: Actor, event: ProviderEvent) -> bool:
    """A refund made in the provider's dashboard (a verified event, no request of ours):
    the part the provider reports beyond what is recorded is recorded through the same
    confirmation as a refund asked from Zapys (the purpose's `on_refunded`: the money
    service). A replay reports nothing new: False."""
    assert event.refunded_total is not None
    amount = min(event.refunded_total, payment.amount) - payment.refunded_amount
    if amount <= 0:
        return False
    refund = PaymentRefund.objects.create(
        organization=payment.organization,
        payment=payment,
        amount=amount,
        provider_status=event.provider_status[:40],
        # Who asked, as the audit names an actor: the provider's code (its dashboard), not
        # a sentence in the language of whoever happened to be running the callback.
        created_by=actor.label[:200],
    )
    return _refund_confirm(payment=payment, refund=refund, actor=actor, via_callback=True)


def payment_event_process(
    *,
    account: PaymentAccount,
    event: ProviderEvent,
    source: str,
    actor: Actor,
    raw_body: str = "",
) -> str:
    """Store a verified provider event once and act on it (DESIGN rule 6).

    Returns the outcome: "duplicate" when the same event was seen before (nothing
    changes), else a `PaymentEvent.Outcome`.

    One transaction: the event row goes in first with INSERT ... ON CONFLICT DO NOTHING
    on the UNIQUE (account, dedupe_key) constraint — the database, not a prior check,
    decides that an event is a duplicate, and no savepoint is needed to survive it.
    Then the payment row is locked and moved, and the event records the outcome. The
    statements are `sql`'s (see there why not QuerySets); the query-count test pins them.
    """
    try:
        with transaction.atomic():
            record = _event_row(account, event, source, raw_body)
            if not sql.insert(record, on_conflict_do_nothing=("account", "dedupe_key")):
                return "duplicate"
            payment = _event_payment(account, event)
            if payment is None:
                outcome: str = PaymentEvent.Outcome.UNKNOWN_ORDER
                note = ""
            else:
                outcome, note = _apply_event(payment, event, actor)
            _event_outcome(record, payment, outcome, note)
            return outcome
    except PurposeFailed as failure:
        return _event_after_purpose_failure(account, event, source, actor, raw_body, failure)


def _event_row(
    account: PaymentAccount, event: ProviderEvent, source: str, raw_body: str
) -> PaymentEvent:
    return PaymentEvent(
        organization_id=account.organization_id,
        account_id=account.pk,
        source=source,
        dedupe_key=_dedupe_key(event),
        order_id=event.order_id[:255],
        provider_status=event.provider_status[:40],
        status=event.status,
        amount=event.amount,
        currency=(event.currency or "")[:3],
        raw_body=raw_body,
        parsed=event.raw,
    )


def _event_payment(account: PaymentAccount, event: ProviderEvent) -> Payment | None:
    """The event's payment, locked; None (logged) for an order Zapys doesn't know."""
    payment = sql.fetch_one(
        Payment,
        {
            "organization_id": account.organization_id,
            "account_id": account.pk,
            "order_id": event.order_id,
        },
        for_update=True,
    )
    if payment is None:
        logger.warning(
            "payments: %s event for unknown order %r on account %s",
            account.provider,
            event.order_id,
            account.public_id,
        )
        return None
    payment.organization = account.organization
    payment.account = account
    return payment


def _event_outcome(record: PaymentEvent, payment: Payment | None, outcome: str, note: str) -> None:
    sql.update(
        PaymentEvent,
        {"payment_id": payment.pk if payment else None, "outcome": outcome, "note": note[:300]},
        {"id": record.pk},
    )


def _event_after_purpose_failure(
    account: PaymentAccount,
    event: ProviderEvent,
    source: str,
    actor: Actor,
    raw_body: str,
    failure: PurposeFailed,
) -> str:
    """The event's transaction rolled back because the purpose raised: store the event again,
    move the payment as the provider says without the purpose, hold it, tell the staff. The
    provider still gets its normal reply, and its retries are duplicates of a stored event."""
    logger.error("payments: %s", failure, exc_info=failure.error)
    reason = failure.reason()
    with transaction.atomic():
        record = _event_row(account, event, source, raw_body)
        if not sql.insert(record, on_conflict_do_nothing=("account", "dedupe_key")):
            return "duplicate"  # a concurrent delivery of the same event got there first
        payment = _event_payment(account, event)
        if payment is None:  # pragma: no cover - it was found a moment ago
            _event_outcome(record, None, PaymentEvent.Outcome.UNKNOWN_ORDER, "")
            return PaymentEvent.Outcome.UNKNOWN_ORDER
        _move_without_purpose(payment, actor, status=event.status, event=event)
        payment_hold(payment=payment, reason=reason, actor=actor)
        _event_outcome(record, payment, PaymentEvent.Outcome.HELD, reason.render())
    return PaymentEvent.Outcome.HELD


def payment_callback_handle(
    *, account: PaymentAccount, body: bytes, content_type: str
) -> CallbackReply:
    """A provider's callback: verify (raises InvalidCallback), process, and the reply
    the provider expects — also when nothing changed (replay, unknown order)."""
    provider = provider_for(account)
    event = provider.parse_callback(body, content_type)
    payment_event_process(
        account=account,
        event=event,
        source=PaymentEvent.Source.CALLBACK,
        actor=Actor.provider(account.provider),
        raw_body=body.decode("utf-8", "replace"),
    )
    return provider.callback_reply(event)
