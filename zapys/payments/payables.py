"""What a client can pay right now, whoever sells it: the registry the purpose apps fill.

The cabinet shows a client's open bookings and invoices with a pay button, and the bot answers
"what do I owe"; neither may import the purpose apps (they are peers, DESIGN rule 14). So each
purpose app that has something payable declares a provider in its own `payables.py`, found the
first time the registry is used (like `purposes.py` and `jobs.py`)::

    # zapys/<app>/payables.py
    from zapys.payments.payables import Payable, payables_declare

    def open_for(organization, client_ids):        # one or two queries for all the clients
        return {client_id: [Payable(...), ...]}

    payables_declare("invoices", open_for)

A provider answers for many clients at once (a family sees several cards) in a constant number
of queries; the registry adds none of its own.

Paying from the balance (X5) from the cabinet: each payable says whose balance pays it
(`balance_client_id`: an invoice is covered from its client's balance, not its payer's — the
service moves the money between that client's own accounts), and a provider may declare
`pay_from_balance`, its entry point into the same service staff and the checkout use. The
registry's `payable_pay_from_balance` finds it by key; the provider checks the object is one
the asking card may pay, locks the balance owner's client row and then its own row (the
one order every cabinet payment from a balance takes, so two tabs paying from one balance
run one after the other, each deciding from what the other left), and answers `BalancePaid` — also when the object was already paid (a double
submit), so the second press reads "already paid", not an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from zapys.core.exceptions import NotFound

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization
    from zapys.core.audit import Actor


@dataclass(frozen=True)
class Payable:
    """One thing the client can pay now, in words a client reads."""

    key: str  # the declaring provider's key ("bookings", "invoices"): for grouping, never shown
    title: str  # "Invoice INV-2026-00012 for December", "Manicure on 5 December, 10:00"
    amount: int  # kopecks still due
    pay_url: str  # the public page that takes the money (the shared checkout)
    due_at: datetime | None = None  # pay by this moment; None = no deadline
    created_at: datetime | None = None
    #: The provider's id of the object (what a "pay from the balance" form names; not shown).
    ref: str = ""
    #: Whose balance pays it (X5): the invoice's client, the booking's client — on a payer's
    #: card that is another family member. None: the balance never pays it.
    balance_client_id: int | None = None
    #: Terms must be accepted before any payment (X4): the balance is offered on the
    #: object's own page (`pay_url`, the shared checkout), where they are shown.
    terms_first: bool = False


@dataclass(frozen=True)
class BalancePaid:
    """What a payment from the balance did, in words for the client."""

    title: str  # the payable's title
    amount: int  # kopecks paid from the balance (0 when it was already paid)
    balance_client_id: int  # whose balance paid it
    already: bool = False  # it was paid before this request (a double submit, a card)


PayablesProvider = Callable[["Organization", Sequence[int]], dict[int, list[Payable]]]
#: `pay(organization, ref, *, card_id, family_ids, actor) -> BalancePaid`: pay the object
#: `ref` listed on the card `card_id` from its balance owner's balance, which must be one of
#: `family_ids` (the clients the cabinet link may see). Raises `NotFound` for an object the
#: card may not pay (another family's, another organization's, a forged id) and a
#: `DomainError` when the balance no longer covers it or it is no longer payable; either
#: way nothing is written.
BalancePayer = Callable[..., BalancePaid]

_providers: dict[str, PayablesProvider] = {}
_balance_payers: dict[str, BalancePayer] = {}


@functools.cache
def _discover() -> None:
    """Import every installed app's `payables` once (they declare on import)."""
    autodiscover_modules("payables")


def payables_declare(
    key: str, provider: PayablesProvider, *, pay_from_balance: BalancePayer | None = None
) -> PayablesProvider:
    """Declare `provider(organization, client_ids) -> {client_id: [Payable]}` under `key`,
    and optionally how the cabinet pays one from the balance (`BalancePayer`). Declaring the
    same key again replaces it (a module imported twice in tests)."""
    _providers[key] = provider
    if pay_from_balance is None:
        _balance_payers.pop(key, None)
    else:
        _balance_payers[key] = pay_from_balance
    return provider


def payable_pay_from_balance(
    organization: Organization,
    *,
    key: str,
    ref: str,
    card_id: int,
    family_ids: Collection[int],
    actor: Actor,
) -> BalancePaid:
    """Pay the payable `key`/`ref` of the card `card_id` from its balance owner's balance,
    through the declaring app's service (see `BalancePayer`). An undeclared key is as
    unknown as a forged id."""
    _discover()
    payer = _balance_payers.get(key)
    if payer is None:
        raise NotFound(_("There is nothing to pay with this link."))
    return payer(organization, ref, card_id=card_id, family_ids=family_ids, actor=actor)


def payables_for_clients(
    organization: Organization, client_ids: Sequence[int]
) -> dict[int, list[Payable]]:
    """Every open payable of the given clients, soonest deadline first (then oldest)."""
    _discover()
    result: dict[int, list[Payable]] = {client_id: [] for client_id in client_ids}
    if not client_ids:
        return result
    for key in sorted(_providers):
        for client_id, items in _providers[key](organization, client_ids).items():
            if client_id in result:
                result[client_id].extend(items)
    for items in result.values():
        items.sort(key=_order)
    return result


def _order(item: Payable) -> tuple[bool, float, float]:
    due = item.due_at.timestamp() if item.due_at else 0.0
    created = item.created_at.timestamp() if item.created_at else 0.0
    return (item.due_at is None, due, created)


# --------------------------------------------------------------------------- top-ups
# A top-up the client starts on their own (the cabinet, the bot) lands in the branch the
# organization chose in its prepayment settings (B2); prepayments owns that setting, top-ups
# take the money, and neither imports the other: prepayments declares where, here.

TopUpBranchProvider = Callable[["Organization"], "Branch | None"]
_topup_branch: list[TopUpBranchProvider] = []


def topup_branch_declare(provider: TopUpBranchProvider) -> TopUpBranchProvider:
    """Declare `provider(organization) -> Branch | None` (one query at most)."""
    _topup_branch[:] = [provider]
    return provider


def topup_branch_for(organization: Organization) -> Branch | None:
    """The branch a client's own top-up is recorded in; None: the money service's rule (the
    payment type's branch, else the organization's first active branch)."""
    _discover()
    return _topup_branch[0](organization) if _topup_branch else None
