"""Writes of the payments app: accounts, payments, their state machine, callbacks, refunds.

Every transition is one function that moves `status` with a conditional UPDATE
(`UPDATE ... WHERE id = ... AND status IN (allowed)`, `_move`) and checks the row count
(DESIGN rule 7), then calls the purpose handler and writes one audit row. Callbacks and polls
go through `payment_event_process` (DESIGN rule 6): store the event under a UNIQUE
dedupe key, lock the payment, check it matches, transition.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.core.money import format_money
from zapys.messaging.services import staff_notify
from zapys.payments import sql
from zapys.payments.config import provider_base_url, provider_timeout, public_url
from zapys.payments.models import Payment, PaymentAccount, PaymentEvent, PaymentRefund
from zapys.payments.providers import (
    CallbackReply,
    CheckoutForm,
    CheckoutRequest,
    PaymentNotFound,
    Provider,
    ProviderError,
    ProviderEvent,
    get_provider,
)
from zapys.payments.purposes import purpose_find, purpose_get, return_url_for

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization
    from zapys.clients.models import Client

logger = logging.getLogger(__name__)

S = Payment.Status
OPEN_STATUSES = (S.CREATED, S.PENDING)
PAID_STATUSES = (S.SUCCEEDED, S.PARTIALLY_REFUNDED)

#: Fields each provider needs: (name, required, secret). Secrets are never shown back.
CREDENTIAL_FIELDS: dict[str, list[tuple[str, bool, bool]]] = {
    "liqpay": [("public_key", True, False), ("private_key", True, True)],
    "wayforpay": [
        ("merchant_account", True, False),
        ("secret_key", True, True),
        ("merchant_domain", True, False),
    ],
    "sandbox": [],
}
ACCOUNT_KEY_FIELD = {"liqpay": "public_key", "wayforpay": "merchant_account"}


# --------------------------------------------------------------------------- helpers


def provider_for(account: PaymentAccount) -> Provider:
    """A protocol client for the account, pointed at the configured base URL."""
    provider = get_provider(
        account.provider, account.credentials, base_url=provider_base_url(account.provider)
    )
    provider.timeout = provider_timeout()
    return provider


def callback_url(account: PaymentAccount) -> str:
    return public_url("payments:callback", provider=account.provider, account_id=account.public_id)


def checkout_form(payment: Payment, *, language: str = "uk") -> CheckoutForm:
    """The provider's checkout form for the payment page (built fresh on every view)."""
    client = payment.client
    first, _sep, last = (client.name if client else "").partition(" ")
    request = CheckoutRequest(
        order_id=payment.order_id,
        amount=payment.amount,
        currency=payment.currency,
        description=payment.description,
        result_url=return_url_for(payment) or payment.payment_url + "?return=1",
        server_url=callback_url(payment.account),
        language=language if language in ("uk", "en") else "uk",
        expires_at=payment.expires_at,
        client_first_name=last or first,
        client_last_name=first if last else "",
        client_email=getattr(client, "email", "") or "",
        client_phone=getattr(client, "phone", "") or "",
    )
    return provider_for(payment.account).build_checkout(request)


def notify_staff(
    *, organization: Organization, title: str, body: str = "", related: Any = None
) -> None:
    """A staff notification about a payment (the bell, and the staff's channels)."""
    staff_notify(
        organization=organization,
        title=title,
        body=body,
        related=related,
        url=getattr(related, "staff_url", "") if related is not None else "",
        level="warning",
    )


def _scoped(payment: Payment) -> models.QuerySet[Payment]:
    return Payment.objects.for_org(payment.organization).filter(pk=payment.pk)


def _move(payment: Payment, *, to: str, allowed: Iterable[str], **fields: Any) -> bool:
    """The one way a payment's status changes: UPDATE ... WHERE status IN (allowed)."""
    now = timezone.now()
    changed = sql.update(
        Payment,
        {"status": to, "updated_at": now, **fields},
        {"id": payment.pk, "organization_id": payment.organization_id},
        where_in=("status", list(allowed)),
    )
    if changed != 1:
        return False
    payment.status = to
    payment.updated_at = now
    for name, value in fields.items():
        setattr(payment, name, value)
    return True


def _audit_transition(payment: Payment, actor: Actor, action: str, status: str) -> None:
    """The audit row of a status transition: the row `core.audit.audit_record` writes,
    inserted with `sql.insert` (a transition is on every callback's path; `save()` would
    compile an INSERT each time)."""
    sql.insert(
        AuditLog(
            organization_id=payment.organization_id,
            actor_kind=actor.kind,
            actor_user_id=actor.user.pk if actor.user is not None else None,
            actor_label=actor.label[:200],
            action=action,
            object_type=payment._meta.label_lower,
            object_id=str(payment.pk),
            object_repr=str(payment)[:300],
            changes={"status": [None, str(status)]},
        )
    )


def _provider_fields(event: ProviderEvent | None) -> dict[str, Any]:
    if event is None:
        return {}
    return {
        "provider_payment_id": event.provider_payment_id[:100],
        "provider_status": event.provider_status[:40],
    }


# --------------------------------------------------------------------------- accounts


def _clean_credentials(provider: str, data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    if provider not in CREDENTIAL_FIELDS:
        raise DomainError(_("Unknown payment provider."), field="provider")
    cleaned: dict[str, Any] = {}
    errors = []
    for name, required, _secret in CREDENTIAL_FIELDS[provider]:
        value = str(data.get(name) or "").strip()
        if value:
            cleaned[name] = value
        elif required and not partial:
            errors.append({"field": name, "message": _("This field is required.")})
    if errors:
        raise DomainError(_("Some required fields are missing."), errors=errors)
    if provider == "liqpay" and "sandbox" in data:
        cleaned["sandbox"] = bool(data.get("sandbox"))
    return cleaned


def _make_default(account: PaymentAccount) -> None:
    PaymentAccount.objects.for_org(account.organization).filter(is_default=True).exclude(
        pk=account.pk
    ).update(is_default=False)


@transaction.atomic
def payment_account_create(
    *,
    organization: Organization,
    provider: str,
    credentials: dict[str, Any],
    actor: Actor,
    name: str = "",
    is_default: bool | None = None,
) -> PaymentAccount:
    """Add a provider account. The first active account becomes the default."""
    cleaned = _clean_credentials(provider, credentials, partial=False)
    account = PaymentAccount(organization=organization, provider=provider)
    if provider == "sandbox":
        cleaned = {"account": account.public_id, "secret": secrets.token_hex(16)}
    account.name = (name or "").strip()[:100] or str(PaymentAccount.Provider(provider).label)
    account.account_key = str(cleaned.get(ACCOUNT_KEY_FIELD.get(provider, ""), ""))[:200]
    account.set_credentials(cleaned)
    has_default = PaymentAccount.objects.for_org(organization).filter(
        is_default=True, is_active=True
    )
    account.is_default = bool(is_default) or (is_default is None and not has_default.exists())
    if account.is_default:
        PaymentAccount.objects.for_org(organization).filter(is_default=True).update(
            is_default=False
        )
    account.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="payment_account.create",
        obj=account,
        changes={"provider": [None, provider], "is_default": [None, account.is_default]},
    )
    return account


@transaction.atomic
def payment_account_update(
    *,
    account: PaymentAccount,
    actor: Actor,
    name: str | None = None,
    credentials: dict[str, Any] | None = None,
    is_default: bool | None = None,
    is_active: bool | None = None,
) -> PaymentAccount:
    """Change an account. Blank secret fields keep the stored value."""
    before = {"name": account.name, "is_default": account.is_default, "active": account.is_active}
    changes: dict[str, Any] = {}
    if name is not None and name.strip():
        account.name = name.strip()[:100]
    if credentials and account.provider != "sandbox":
        merged = {
            **account.credentials,
            **_clean_credentials(account.provider, credentials, partial=True),
        }
        account.set_credentials(merged)
        account.account_key = str(merged.get(ACCOUNT_KEY_FIELD[account.provider], ""))[:200]
        changes["credentials"] = ["…", "changed"]
    if is_active is not None:
        account.is_active = is_active
        if not is_active:
            account.is_default = False
    if is_default is not None:
        if is_default and not account.is_active:
            raise DomainError(_("An inactive account cannot be the default."), field="is_default")
        account.is_default = is_default
    if account.is_default:
        _make_default(account)
    account.save()
    after = {"name": account.name, "is_default": account.is_default, "active": account.is_active}

    audit_record(
        organization=account.organization,
        actor=actor,
        action="payment_account.update",
        obj=account,
        changes={**changes_between(before, after), **changes},
    )
    return account


# --------------------------------------------------------------------------- payments


def _default_account(organization: Organization) -> PaymentAccount:
    account = (
        PaymentAccount.objects.for_org(organization)
        .filter(is_active=True)
        .order_by("-is_default", "id")
        .first()
    )
    if account is None:
        raise DomainError(
            _("No payment account is set up: add one in Settings → Payment accounts."),
            field="payment_account_id",
        )
    return account


@transaction.atomic
def payment_create(
    *,
    organization: Organization,
    account: PaymentAccount | None,
    purpose: str,
    purpose_object: models.Model | None,
    client: Client | None,
    amount: int,
    currency: str,
    description: str,
    actor: Actor,
    expires_at: datetime | None = None,
    branch: Branch | None = None,
    retry_of: Payment | None = None,
) -> Payment:
    """Create a payment and issue its link (status `pending`); `payment.payment_url`
    is the page with the provider's checkout form. `account=None` uses the default.
    `retry_of`: the declined payment this one tries again (a purpose's `retry`)."""
    declared = purpose_get(purpose)  # a payment for nothing any app declared is a bug
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise DomainError(_("The amount must be greater than zero."), field="amount")
    if account is None:
        account = _default_account(organization)
    if account.organization_id != organization.pk or not account.is_active:
        raise DomainError(_("This payment account is not available."), field="payment_account_id")
    payment = Payment.objects.create(
        organization=organization,
        account=account,
        branch=branch,
        purpose=purpose,
        purpose_type=purpose_object._meta.label_lower if purpose_object is not None else "",
        purpose_id=str(purpose_object.pk) if purpose_object is not None else "",
        client=client,
        amount=amount,
        currency=currency.upper(),
        description=(description or str(declared.label))[:250],
        expires_at=expires_at,
        retry_of=retry_of,
    )
    # The link exists as soon as the row does: the payment awaits the client.
    _move(payment, to=S.PENDING, allowed=[S.CREATED])
    audit_record(
        organization=organization,
        actor=actor,
        action="payment.create",
        obj=payment,
        changes={
            "amount": [None, amount],
            "purpose": [None, purpose],
            "status": [None, S.PENDING],
            **({"retry_of": [None, retry_of.pk]} if retry_of is not None else {}),
        },
    )
    return payment


def payment_succeed(*, payment: Payment, actor: Actor, event: ProviderEvent | None = None) -> bool:
    """Money arrived. Also from failed/expired: a late success still credits the client."""
    try:
        with transaction.atomic():
            return _succeed(payment, actor, event)
    except PurposeFailed as failure:
        return _after_purpose_failure(payment, actor, failure, status="succeeded", event=event)


def payment_fail(*, payment: Payment, actor: Actor, event: ProviderEvent | None = None) -> bool:
    try:
        with transaction.atomic():
            return _fail(payment, actor, event)
    except PurposeFailed as failure:
        return _after_purpose_failure(payment, actor, failure, status="failed", event=event)


def payment_expire(*, payment: Payment, actor: Actor) -> bool:
    """The link's time ran out unpaid; the handler's `on_failed` sees status `expired`."""
    try:
        with transaction.atomic():
            return _expire(payment, actor)
    except PurposeFailed as failure:
        return _after_purpose_failure(payment, actor, failure, status="expired", event=None)


class PurposeFailed(Exception):
    """A purpose's transition raised. Raised out of the transition's transaction so that all
    of it — the purpose's half-written rows included — rolls back; the caller then records
    what happened in a fresh one (`_after_purpose_failure`)."""

    def __init__(self, payment: Payment, step: str, error: Exception) -> None:
        super().__init__(f"{payment.purpose}.{step} failed on payment {payment.pk}: {error!r}")
        self.step = step
        self.error = error

    def reason(self) -> str:
        """For the staff: what went wrong, in words (a DomainError says it; anything else
        is a bug, logged with its traceback, not shown)."""
        detail = (
            self.error.detail
            if isinstance(self.error, DomainError)
            else _("an internal error (logged for the developers)")
        )
        return _(
            "The payment moved at the provider, but Zapys could not apply it: %(detail)s "
            "Check the client's account and apply it by hand."
        ) % {"detail": detail}


def _purpose_step(payment: Payment, step: str, *args: Any) -> None:
    """Run the payment's purpose transition (`on_succeeded`, `on_failed`, `on_refunded`).

    A payment whose purpose no installed app declares any more still moves; there is
    nothing else to do for it."""
    purpose = purpose_find(payment.purpose)
    if purpose is None:
        return
    # What a purpose stores (ledger comments, staff notifications, receipt lines) is the
    # organization's, whichever request or provider caused it: its language, not theirs.
    language = payment.organization.language or None
    try:
        with translation.override(language):
            getattr(purpose, step)(payment, *args)
    except Exception as exc:
        raise PurposeFailed(payment, step, exc) from exc


def _after_purpose_failure(
    payment: Payment,
    actor: Actor,
    failure: PurposeFailed,
    *,
    status: str,
    event: ProviderEvent | None,
) -> bool:
    """The transition's transaction rolled back because its purpose raised. Record what the
    provider said anyway — the payment moves to `status` without the purpose — hold it for
    review and tell the staff, so the money is neither lost nor applied twice."""
    logger.error("payments: %s", failure, exc_info=failure.error)
    with transaction.atomic():
        locked = sql.fetch_one(
            Payment, {"organization_id": payment.organization_id, "id": payment.pk}, for_update=True
        )
        if locked is None:  # pragma: no cover - the row was there a moment ago
            return False
        locked.organization, locked.account = payment.organization, payment.account
        moved = _move_without_purpose(locked, actor, status=status, event=event)
        payment_hold(payment=locked, reason=failure.reason(), actor=actor)
        payment.status, payment.held_for_review = locked.status, True
        payment.review_reason = locked.review_reason
    return moved


def _move_without_purpose(
    payment: Payment, actor: Actor, *, status: str, event: ProviderEvent | None
) -> bool:
    if status == "succeeded":
        moved = _move(
            payment,
            to=S.SUCCEEDED,
            allowed=[S.CREATED, S.PENDING, S.FAILED, S.EXPIRED],
            paid_at=timezone.now(),
            **_provider_fields(event),
        )
    elif status in ("failed", "expired"):
        moved = _move(payment, to=S(status), allowed=OPEN_STATUSES, **_provider_fields(event))
    else:  # a refund: the refund row stays pending until a person looks
        return False
    if moved:
        _audit_transition(payment, actor, f"payment.{status}", status)
    return moved


# The transitions themselves, for callers that already hold the transaction (and the
# payment's row lock): `payment_event_process` calls them directly, so a callback is one
# transaction without a savepoint per step. A failure anywhere rolls all of it back.


def _succeed(payment: Payment, actor: Actor, event: ProviderEvent | None) -> bool:
    moved = _move(
        payment,
        to=S.SUCCEEDED,
        allowed=[S.CREATED, S.PENDING, S.FAILED, S.EXPIRED],
        paid_at=timezone.now(),
        **_provider_fields(event),
    )
    if not moved:
        return False
    _purpose_step(payment, "on_succeeded", actor)
    _audit_transition(payment, actor, "payment.succeeded", S.SUCCEEDED)
    return True


def _fail(payment: Payment, actor: Actor, event: ProviderEvent | None) -> bool:
    if not _move(payment, to=S.FAILED, allowed=OPEN_STATUSES, **_provider_fields(event)):
        return False
    _purpose_step(payment, "on_failed", actor)
    _audit_transition(payment, actor, "payment.failed", S.FAILED)
    return True


def _expire(payment: Payment, actor: Actor) -> bool:
    if not _move(payment, to=S.EXPIRED, allowed=OPEN_STATUSES):
        return False
    _purpose_step(payment, "on_failed", actor)
    _audit_transition(payment, actor, "payment.expired", S.EXPIRED)
    return True


def payment_hold(*, payment: Payment, reason: str, actor: Actor, notify: bool = True) -> None:
    """Stop automatic crediting and ask a person to look (staff are notified)."""
    with transaction.atomic():
        _scoped(payment).update(held_for_review=True, review_reason=reason[:300])
        payment.held_for_review, payment.review_reason = True, reason[:300]
        audit_record(
            organization=payment.organization,
            actor=actor,
            action="payment.held_for_review",
            obj=payment,
            changes={"review_reason": [None, reason]},
        )
        if not notify:
            return
        notify_staff(
            organization=payment.organization,
            title=_("Online payment #%(id)s needs review") % {"id": payment.pk},
            body=reason,
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


# --------------------------------------------------------------------------- events


def _dedupe_key(event: ProviderEvent) -> str:
    key = event.event_id or f"{event.order_id}:{event.provider_status}"
    return key if len(key) <= 300 else hashlib.sha256(key.encode()).hexdigest()


def _mismatch(payment: Payment, event: ProviderEvent) -> str:
    if event.amount != payment.amount:
        return _("Amount mismatch: the provider reports %(got)s, expected %(want)s.") % {
            "got": "—" if event.amount is None else format_money(event.amount, payment.currency),
            "want": format_money(payment.amount, payment.currency),
        }
    if (event.currency or "").upper() != payment.currency:
        return _("Currency mismatch: the provider reports %(got)s, expected %(want)s.") % {
            "got": event.currency or "—",
            "want": payment.currency,
        }
    return ""


def _apply_event(payment: Payment, event: ProviderEvent, actor: Actor) -> tuple[str, str]:
    """Transition the locked payment as the verified event says. → (outcome, note)."""
    Out = PaymentEvent.Outcome
    if event.status == "succeeded":
        if payment.status in (*PAID_STATUSES, S.REFUNDED):
            return Out.NO_CHANGE, ""
        problem = _mismatch(payment, event)
        if problem:
            if not payment.held_for_review:
                payment_hold(payment=payment, reason=problem, actor=actor)
            return Out.HELD, problem
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
        return _apply_refund_event(payment, actor)
    return Out.NO_CHANGE, ""


def _apply_refund_event(payment: Payment, actor: Actor) -> tuple[str, str]:
    """The provider says money went back. Match it to a refund Zapys asked for."""
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
    reason = _("The provider reports a refund that Zapys did not request or record.")
    payment_hold(payment=payment, reason=reason, actor=actor)
    return Out.HELD, reason


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
        _event_outcome(record, payment, PaymentEvent.Outcome.HELD, reason)
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


# --------------------------------------------------------------------------- refunds


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
            _("The payment provider refused the refund: %(reason)s")
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


# --------------------------------------------------------------------------- reconciliation


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
