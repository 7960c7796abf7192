"""The one checkout every public payment page shows (DESIGN rule 13).

A public page — any payment's link `/pay/<token>/`, the booking's `/p/<token>/`, and the
next ways of getting paid — renders its own header and its final states ("paid", "expired"...).
While the payment still awaits the client it includes `payments/_checkout.html` with
`checkout_context(...)`: the amount and what it is for (the purpose's label), the balance
when the purpose lets it cover the payment (X5), the agreement when the purpose asks for
one (X4), "Try again" after a declined card, and the provider's form. The page's POST goes
through `checkout_submit`, which parses the client's choice and calls the purpose's
declared service; the page then redirects (POST → redirect → GET).

What is offered follows from the purpose's declaration (`payments.purposes.Purpose`), not
from the page: a page cannot forget the agreement, and a purpose that declares no
`pay_from_balance` (one whose money goes onto the balance: paying it from the balance would
move nothing) never shows it. Paying in any way — the provider's form, the balance, a new attempt — needs the
agreement first: the provider's form is not even rendered (its signed fields are what the
provider accepts) until the terms are accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.exceptions import DomainError
from zapys.core.http import client_ip
from zapys.ledger.selectors import balances_for
from zapys.payments.models import Payment
from zapys.payments.providers import CheckoutForm
from zapys.payments.purposes import Acceptance, Agreement, Purpose, purpose_find, purpose_label
from zapys.payments.selectors import checkout_form
from zapys.payments.services import OPEN_STATUSES

if TYPE_CHECKING:
    from zapys.core.audit import Actor

#: A payment that did not go through and may be tried again (the purpose permitting).
LOST_STATUSES = (Payment.Status.FAILED, Payment.Status.EXPIRED)


@dataclass(frozen=True)
class Submitted:
    """What the client's POST did. `done`: something changed (or there was nothing to do),
    the page redirects; otherwise it renders again with the error."""

    done: bool
    error: str = ""
    #: The client tried to pay without accepting the terms: the checkbox is flagged.
    agreement_missing: bool = False
    #: After "Try again": the attempt to pay now (it may have a page of its own).
    payment: Payment | None = None
    paid_from_balance: bool = False


@dataclass(frozen=True)
class Checkout:
    """Everything `payments/_checkout.html` shows, read once."""

    payment: Payment
    label: str
    amount: int
    currency: str
    pay_by: datetime | None
    provider_name: str
    #: The terms to accept before paying; None: the purpose asks for none.
    agreement: Agreement | None
    #: What the client's balance covers (0: the purpose does not offer the balance).
    covered: int
    can_retry: bool
    declined: bool
    form: CheckoutForm | None
    error: str = ""
    agreement_missing: bool = False

    @property
    def accepted(self) -> bool:
        return self.agreement is None or self.agreement.accepted

    @property
    def balance_covers(self) -> bool:
        return self.covered > 0 and self.covered >= self.amount

    @property
    def can_pay_from_balance(self) -> bool:
        return self.balance_covers and self.accepted


def _payable(payment: Payment, purpose: Purpose | None, payable: bool | None) -> bool:
    """Whether the client may still pay. A page that knows better (a booking: until its own
    deadline, whatever became of one card attempt) says so; otherwise the payment decides:
    open and within its link's lifetime, or declined and the purpose lets the client retry."""
    if payable is not None:
        return payable
    if payment.expires_at is not None and payment.expires_at <= timezone.now():
        return False
    if payment.status in OPEN_STATUSES:
        return True
    return (
        payment.status == Payment.Status.FAILED
        and purpose is not None
        and purpose.retry is not None
    )


def _agreement(payment: Payment, purpose: Purpose | None) -> Agreement | None:
    if purpose is None or purpose.agreement is None:
        return None
    return purpose.agreement(payment)


def checkout_context(
    payment: Payment,
    *,
    language: str,
    payable: bool | None = None,
    submitted: Submitted | None = None,
) -> Checkout | None:
    """What the checkout shows for `payment` (reads only), or None when there is nothing to
    pay any more — the page shows its own state then. Call it with the page's language
    active: the label and the provider's form are in it. Queries: the purpose's agreement
    (if it declares one), one for the balance (if it offers it), none for the form when the
    payment came with its account and client."""
    purpose = purpose_find(payment.purpose)
    if not _payable(payment, purpose, payable):
        return None
    agreement = _agreement(payment, purpose)
    accepted = agreement is None or agreement.accepted
    covered = 0
    if purpose is not None and purpose.pay_from_balance is not None and payment.client_id:
        balance = balances_for([payment.client_id])[payment.client_id]
        covered = min(max(balance, 0), payment.amount)
    lost = payment.status in LOST_STATUSES
    form = None
    if accepted and payment.status in OPEN_STATUSES:
        form = checkout_form(payment, language=language if language in ("uk", "en") else "uk")
    return Checkout(
        payment=payment,
        label=str(purpose.label) if purpose is not None else purpose_label(payment.purpose),
        amount=payment.amount,
        currency=payment.currency,
        pay_by=payment.expires_at,
        provider_name=str(payment.account.get_provider_display()),
        agreement=agreement,
        covered=covered,
        can_retry=accepted and lost and purpose is not None and purpose.retry is not None,
        declined=payment.status == Payment.Status.FAILED,
        form=form,
        error=submitted.error if submitted is not None else "",
        agreement_missing=submitted.agreement_missing if submitted is not None else False,
    )


def checkout_submit(
    request: HttpRequest, payment: Payment, *, actor: Actor, payable: bool | None = None
) -> Submitted:
    """The client's POST on a payment page: accept the terms (`accept=on`), pay from the
    balance (`action=balance`) or try again (`action=retry`), each through the purpose's
    declared service. Paying in any way needs the terms accepted first; a refused choice
    changes nothing and comes back as an error to show."""
    purpose = purpose_find(payment.purpose)
    if purpose is None or not _payable(payment, purpose, payable):
        return Submitted(done=False)  # nothing to pay: the page shows its state
    agreement = _agreement(payment, purpose)
    accepted = agreement is None or agreement.accepted
    action = request.POST.get("action", "")
    if action in ("balance", "retry"):
        if not accepted:
            return Submitted(done=False, agreement_missing=True)
        try:
            if action == "balance":
                if purpose.pay_from_balance is None:
                    raise DomainError(_("This payment cannot be paid from the balance."))
                purpose.pay_from_balance(payment, actor)
                return Submitted(done=True, paid_from_balance=True)
            if purpose.retry is None:
                raise DomainError(_("This payment cannot be tried again."))
            return Submitted(done=True, payment=purpose.retry(payment, actor))
        except DomainError as exc:
            return Submitted(done=False, error=exc.detail)
    if agreement is None or accepted:
        return Submitted(done=True)  # nothing left to accept
    if request.POST.get("accept") != "on":
        return Submitted(done=False, agreement_missing=True)
    assert purpose.agreement_accept is not None  # declared together (Purpose.__post_init__)
    purpose.agreement_accept(
        payment,
        Acceptance(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")),
    )
    return Submitted(done=True)
