"""Writes of the top-up app: a client pays online to raise their balance.

`topup_create` issues the payment (the staff page, the API, the demo); the purpose's
transitions (declared in `purposes.py`) run when the provider says how it went.

On success: a ledger DEBIT (purpose "top_up"), an income financial operation and a
sales receipt in the payment's branch, a staff notification and a confirmation message
to the client. On refund: a ledger CREDIT (purpose "refund") and an expense operation.
Everything runs inside the transition's transaction, so it happens exactly once.

On the checkout a declined top-up offers "Try again" (`top_up_retry`); it never offers
"pay from the balance" (moving money from the balance onto the balance changes nothing) and
asks for no agreement.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.core.exceptions import Conflict
from zapys.core.money import Money, format_money
from zapys.core.stored_text import StoredText
from zapys.ledger.models import Entry
from zapys.ledger.money import money_received_record, money_refunded_record
from zapys.messaging.services import message_send
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.services import notify_staff, payment_create
from zapys.topups.events import TOP_UP_RECEIVED_EVENT
from zapys.topups.ledger_hooks import TOP_UPS_ARTICLE
from zapys.topups.texts import top_up_refund_text, top_up_text

if TYPE_CHECKING:
    from zapys.accounts.models import Branch
    from zapys.clients.models import Client
    from zapys.core.audit import Actor

logger = logging.getLogger(__name__)

#: The purpose's key, stored on every top-up payment (`Payment.purpose`).
TOP_UP = "top_up"


def topup_create(
    *,
    client: Client,
    amount: int,
    actor: Actor,
    account: PaymentAccount | None = None,
    branch: Branch | None = None,
) -> Payment:
    """A balance top-up link (status `pending`): when paid, the amount is a debit on the
    client's balance (`top_up_succeeded`). `account=None` uses the default account."""
    if client.is_deleted:
        # Every way in refuses it (the API and the staff page answer 404 before asking).
        raise Conflict(_("The client is deleted: restore them first."))
    organization = client.organization
    return payment_create(
        organization=organization,
        account=account,
        purpose=TOP_UP,
        purpose_object=client,
        client=client,
        amount=amount,
        currency=organization.currency,
        description=_("Balance top-up: %(name)s") % {"name": organization.name},
        actor=actor,
        branch=branch,
    )


def _client_of(payment: Payment) -> Client | None:
    """The payment's client (one read), its organization taken from the payment: the same
    row, already loaded with the payment's account on the callback path. The money service
    reads `client.organization`, which would otherwise be fetched again on every top-up."""
    client = payment.client
    if client is not None and client.organization_id == payment.organization_id:
        client.organization = payment.organization
    return client


def top_up_succeeded(payment: Payment, actor: Actor) -> None:
    organization, client = payment.organization, _client_of(payment)
    if client is None:
        logger.warning("payments: top-up %s has no client; nothing credited", payment.pk)
        return
    money_received_record(
        client=client,
        amount=payment.amount,
        purpose=Entry.Purpose.TOP_UP,
        article=TOP_UPS_ARTICLE,
        actor=actor,
        cause=payment,
        comment=top_up_text(payment),
        deposit_line=StoredText(gettext_noop("Balance top-up")),
        branch=payment.branch if payment.branch_id else None,
    )
    amount_text = format_money(payment.amount, payment.currency)
    notify_staff(
        organization=organization,
        title=StoredText(
            gettext_noop("Top-up received: %(amount)s"),
            amount=Money(payment.amount, payment.currency),
        ),
        body=StoredText(
            gettext_noop("%(client)s topped up the balance online."), client=client.name
        ),
        related=payment,
        level="success",
    )
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
    client = _client_of(payment)
    if client is None:
        return
    money_refunded_record(
        client=client,
        amount=amount,
        actor=actor,
        cause=payment,
        comment=top_up_refund_text(payment),
        branch=payment.branch if payment.branch_id else None,
    )


@transaction.atomic
def top_up_retry(payment: Payment, actor: Actor) -> Payment:
    """ "Try again" after a declined card: a new top-up of the same amount, client, account
    and branch, pointing back to the declined one, which stays as it was. Asked twice from
    the old link (a double tap, a second tab) it returns the same new attempt: the declined
    row is locked first, and the database allows one `retry_of` per payment."""
    declined = Payment.objects.for_org(payment.organization).select_for_update().get(pk=payment.pk)
    following = Payment.objects.for_org(payment.organization).filter(retry_of=declined).first()
    if following is not None:
        return following
    if declined.status != Payment.Status.FAILED:
        raise Conflict(_("Only a declined payment can be tried again."))
    if declined.expires_at is not None and declined.expires_at <= timezone.now():
        raise Conflict(
            _("This payment link has expired. Please contact the business for a new one.")
        )
    client = declined.client
    if client is None or client.is_deleted:
        raise Conflict(_("This top-up is no longer available. Please contact the business."))
    return payment_create(
        organization=declined.organization,
        account=declined.account,
        purpose=TOP_UP,
        purpose_object=client,
        client=client,
        amount=declined.amount,
        currency=declined.currency,
        description=declined.description,
        actor=actor,
        expires_at=declined.expires_at,
        branch=declined.branch,
        retry_of=declined,
    )
