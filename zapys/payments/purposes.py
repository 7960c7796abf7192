"""Ways of getting paid, declared by the apps that take payments (DESIGN rule 13).

payments moves money between states; what a payment is *for* belongs to the app that asked
for it. Each such app has a `purposes.py` that declares its purposes at import time::

    GIFT_CARD = purpose_declare(
        Purpose(
            key="gift_card",
            label=gettext_lazy("Gift card"),
            on_succeeded=gift_card_paid,       # (payment, actor) -> None
            on_failed=gift_card_unpaid,        # (payment, actor) -> None
            on_refunded=gift_card_refunded,    # (payment, amount, actor) -> None
            return_url=gift_card_return_url,   # (payment) -> str | None
        )
    )

and payments finds every app's `purposes.py` the way the scheduler finds `jobs.py`
(`purposes_discover`); payments itself declares none. The transitions are called inside the
transaction that moves the payment, with the payment row locked, exactly once each:
- `on_succeeded` — the money arrived (credit the client, confirm the booking...);
- `on_failed` — the payment failed or expired (`payment.status` says which);
- `on_refunded` — `amount` kopecks went back to the payer.
A transition that raises does not lose the provider's event: see
`payments.services.payment_event_process`.

A purpose may also declare what the one checkout (`payments.checkout`) offers beyond the
provider's form; each is optional and absent means "not offered":
- `agreement(payment)` — the terms the payer accepts before paying (X4), or None; with
  `agreement_accept(payment, acceptance)` recording it in the purpose's own evidence;
- `pay_from_balance(payment, actor)` — cover it from the client's balance instead (X5);
- `retry(payment, actor)` — a new attempt after a declined card; returns the payment to
  pay now (the declined one is kept).

And `clients(payments)` — for payments made with no client (a stranger buying online), the
client each ended up with, {payment id: client}, read for the whole list at once (one query,
not one per row): staff lists and the payment's page show that client.

And `describe(payment)` — what the payer reads on the payment page, in the page's language
("Balance top-up", "Invoice INV-2026-00001"). The stored `payment.description` went to the
provider in the organization's language when the payment was made; without `describe` the
page shows that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext, gettext_noop

from zapys.core.stored_text import StoredText
from zapys.core.system_names import msgid_of

if TYPE_CHECKING:
    from zapys.core.audit import Actor
    from zapys.payments.models import Payment

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # fits Payment.purpose (max_length=40)


@dataclass(frozen=True)
class Agreement:
    """The terms a payer must accept before paying, and whether they already did."""

    text: str
    accepted: bool


@dataclass(frozen=True)
class Acceptance:
    """How the payer accepted: evidence for a dispute (X4)."""

    ip: str | None
    user_agent: str


@dataclass(frozen=True)
class Purpose:
    """One way of getting paid. Every field is required: a purpose without a label would
    show a raw key on the payment page, one without a return URL would strand the client."""

    key: str
    #: What the client and the staff read ("Prepayment", "Gift card"); lazily translated.
    label: Promise | str
    on_succeeded: Callable[[Payment, Actor], None]
    on_failed: Callable[[Payment, Actor], None]
    on_refunded: Callable[[Payment, int, Actor], None]
    #: Where the provider sends the client's browser back after paying; None = the payment's
    #: own page.
    return_url: Callable[[Payment], str | None]
    # What the checkout may offer (see the module's docstring); None = not offered.
    agreement: Callable[[Payment], Agreement | None] | None = None
    agreement_accept: Callable[[Payment, Acceptance], None] | None = None
    pay_from_balance: Callable[[Payment, Actor], None] | None = None
    retry: Callable[[Payment, Actor], Payment] | None = None
    describe: Callable[[Payment], str] | None = None
    clients: Callable[[Sequence[Payment]], dict[int, Any]] | None = None

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"A purpose key is lower_snake_case, at most 40 long: {self.key!r}")
        if not str(self.label).strip():
            raise ValueError(f"Purpose {self.key!r} needs a label people can read.")
        if (self.agreement is None) != (self.agreement_accept is None):
            # Terms a payer could never accept would block the payment for good.
            raise ValueError(f"Purpose {self.key!r}: agreement and agreement_accept go together.")


class UnknownPurpose(LookupError):
    """A payment was asked for a purpose no installed app declares."""


_PURPOSES: dict[str, Purpose] = {}
_discovered = False


def purpose_declare(purpose: Purpose) -> Purpose:
    """Declare a purpose (call at import time of an app's `purposes.py`). Declaring the same
    key twice with another definition is a programming error."""
    known = _PURPOSES.get(purpose.key)
    if known is not None and known != purpose:
        raise ValueError(f"Purpose {purpose.key!r} is declared twice")
    _PURPOSES[purpose.key] = purpose
    return purpose


def purpose_withdraw(key: str) -> None:
    """Forget a declaration (tests that declare a purpose of their own)."""
    _PURPOSES.pop(key, None)


def purposes_discover() -> dict[str, Purpose]:
    """Every declared purpose, importing each installed app's `purposes.py` once."""
    global _discovered
    if not _discovered:
        autodiscover_modules("purposes")
        _discovered = True
    return _PURPOSES


def purpose_get(key: str) -> Purpose:
    """The declared purpose, or UnknownPurpose."""
    found = purposes_discover().get(key)
    if found is None:
        raise UnknownPurpose(f"No installed app declares the payment purpose {key!r}.")
    return found


def purpose_find(key: str) -> Purpose | None:
    """The declared purpose, or None: for payments made by an app that is gone since."""
    return purposes_discover().get(key)


def purpose_label(key: str) -> str:
    """What people read for a purpose; never the raw key."""
    found = purpose_find(key)
    return str(found.label) if found is not None else gettext("Online payment")


def purpose_text(payment: Payment, *, lower: bool = False) -> StoredText:
    """The payment's purpose as a stored text ("Balance top-up" / «Поповнення балансу»), for
    notices read later in each reader's language; `lower` inside a sentence."""
    found = purpose_find(payment.purpose)
    msgid = msgid_of(found.label) if found is not None else gettext_noop("Online payment")
    return StoredText.word(msgid) if lower else StoredText(msgid)


def payment_description(payment: Payment) -> str:
    """What the payment is for, in the active language (see `Purpose.describe`)."""
    found = purpose_find(payment.purpose)
    if found is not None and found.describe is not None:
        return found.describe(payment)
    return payment.description


def return_url_for(payment: Payment) -> str | None:
    found = purpose_find(payment.purpose)
    return found.return_url(payment) if found is not None else None
