"""Reconciliation (X8): recover lost callbacks, expire unpaid links, report mismatches.

Jobs never read the clock (`now` is given). Each payment is claimed with a conditional
UPDATE of `last_checked_at` before the provider is asked, so two schedulers never poll
the same payment in the same window; no row lock is held across the HTTP call.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext_noop

from zapys.core.audit import Actor
from zapys.core.jobs import periodic_job
from zapys.core.money import Money
from zapys.core.stored_text import StoredText
from zapys.core.system_names import msgid_of
from zapys.core.tenancy import org_scope, unscoped
from zapys.payments import services
from zapys.payments.config import reconcile_after_minutes
from zapys.payments.models import Payment
from zapys.payments.providers import PaymentNotFound, ProviderError
from zapys.payments.purposes import purpose_text

logger = logging.getLogger(__name__)

BATCH = 200
S = Payment.Status


def _claim(payment: Payment, now: datetime) -> bool:
    with unscoped():
        return (
            Payment.objects.filter(pk=payment.pk, last_checked_at=payment.last_checked_at).update(
                last_checked_at=now
            )
            == 1
        )


@periodic_job("payments.reconcile", every=timedelta(minutes=5))
def reconcile(now: datetime) -> str:
    """Poll the provider for payments pending too long; expire links past their time."""
    window = timedelta(minutes=reconcile_after_minutes())
    actor = Actor.scheduler("payments.reconcile")
    outcomes: Counter[str] = Counter()
    with unscoped():
        due = list(
            Payment.objects.filter(status__in=services.OPEN_STATUSES)
            .filter(Q(created_at__lte=now - window) | Q(expires_at__lte=now))
            .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=now - window))
            .select_related("organization", "account")
            .order_by("created_at")[:BATCH]
        )
    for payment in due:
        if not _claim(payment, now):
            continue
        with org_scope(payment.organization):
            outcome = services.payment_reconcile(payment=payment, actor=actor)
            outcomes[outcome] += 1
            payment.refresh_from_db(fields=["status"])
            if (
                payment.status in services.OPEN_STATUSES
                and payment.expires_at is not None
                and payment.expires_at <= now
                and services.payment_expire(payment=payment, actor=actor)
            ):
                outcomes["expired"] += 1
    with unscoped():
        # Links past their time that were polled recently (so not picked above).
        overdue = list(
            Payment.objects.filter(status__in=services.OPEN_STATUSES, expires_at__lte=now)
            .exclude(pk__in=[p.pk for p in due])
            .select_related("organization")[:BATCH]
        )
    for payment in overdue:
        with org_scope(payment.organization):
            if services.payment_expire(payment=payment, actor=actor):
                outcomes["expired"] += 1
    if not outcomes:
        return "nothing to reconcile"
    return ", ".join(f"{key}: {value}" for key, value in sorted(outcomes.items()))


def _agrees(local: str, remote: str) -> bool:
    if remote == "pending":
        # A link that ran out is one nobody paid: asked about it, the provider says it waits
        # for payment or doesn't know the order (never opened). Neither moved money.
        return local in (*services.OPEN_STATUSES, S.EXPIRED)
    if remote == "succeeded":
        return local in (S.SUCCEEDED, S.PARTIALLY_REFUNDED)
    if remote == "refunded":
        return local in (S.REFUNDED, S.PARTIALLY_REFUNDED)
    return local == remote


def _status_word(status: str) -> StoredText | str:
    """A status as a word of the catalogue. The provider's answer comes normalised to our
    statuses ("pending" when it does not know the order): the same words as ours, not its
    code; anything else is quoted as it came."""
    if status in S.values:
        return StoredText.word(msgid_of(S(status).label))
    return f"“{status}”"


def _mismatch_line(payment: Payment, remote: str) -> StoredText:
    """One payment of the mismatch summary, in each reader's language."""
    return StoredText(
        gettext_noop(
            "%(what)s, %(amount)s: Zapys says %(local)s, the payment service says %(remote)s."
        ),
        what=purpose_text(payment),
        amount=Money(payment.amount, payment.currency),
        local=_status_word(payment.status),
        remote=_status_word(remote),
    )


def _one_per_line(lines: list[StoredText]) -> StoredText:
    """Texts one under another as one stored text. Its msgid is only the layout
    ("%(line0)s\n%(line1)s"): no words, so it is in no catalogue and gettext gives it back
    as it is; each line is a nested text rendered in the reader's language."""
    layout = "\n".join(f"%(line{n})s" for n in range(len(lines)))
    return StoredText(layout, **{f"line{n}": line for n, line in enumerate(lines)})


@periodic_job("payments.mismatch_report", every=timedelta(days=1))
def mismatch_report(now: datetime) -> str:
    """Daily: compare the last two days' settled payments with what the provider says;
    hold disagreeing ones for review and send each organization one summary."""
    actor = Actor.scheduler("payments.mismatch_report")
    with unscoped():
        recent = list(
            Payment.objects.filter(updated_at__gte=now - timedelta(days=2))
            .exclude(status__in=services.OPEN_STATUSES)
            .exclude(held_for_review=True)
            .select_related("organization", "account")
            .order_by("organization_id", "id")[:1000]
        )
    by_org: dict[int, list[StoredText]] = defaultdict(list)
    checked = errors = 0
    for payment in recent:
        with org_scope(payment.organization):
            try:
                event = services.provider_for(payment.account).fetch_status(payment.order_id)
            except PaymentNotFound:
                remote = "pending"
            except ProviderError:
                errors += 1
                continue
            else:
                remote = event.status
            checked += 1
            if _agrees(payment.status, remote):
                continue
            said = _status_word(remote)
            # Kept as stored text: the audit log reads it in each reader's language.
            reason = StoredText(
                gettext_noop("Zapys says %(local)s, the payment service says %(remote)s."),
                local=_status_word(payment.status),
                remote=said,
            )
            by_org[payment.organization_id].append(_mismatch_line(payment, remote))
            services.payment_hold(payment=payment, reason=reason, actor=actor, notify=False)
    for payment in recent:
        lines = by_org.pop(payment.organization_id, None)
        if lines:
            with org_scope(payment.organization):
                services.notify_staff(
                    organization=payment.organization,
                    title=StoredText(
                        gettext_noop("Payments disagree with the payment service: %(n)s"),
                        n=len(lines),
                    ),
                    body=_one_per_line(lines),
                )
    mismatches = sum(1 for p in recent if p.held_for_review)
    return f"checked {checked}, mismatches {mismatches}, errors {errors}"
