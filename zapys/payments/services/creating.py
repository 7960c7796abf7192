"""Creating a payment for a declared purpose: the row, its link (status `pending`), the audit."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.purposes import purpose_get
from zapys.payments.services.state import S, _move

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization
    from zapys.clients.models import Client


def _default_account(organization: Organization) -> PaymentAccount:
    account = (
        PaymentAccount.objects.for_org(organization)
        .filter(is_active=True)
        .order_by("-is_default", "id")
        .first()
    )
    if account is None:
        raise DomainError(
            _("No payment service is set up: add one in Settings → Payment services."),
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
