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
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization


@dataclass(frozen=True)
class Payable:
    """One thing the client can pay now, in words a client reads."""

    key: str  # the declaring provider's key ("bookings", "invoices"): for grouping, never shown
    title: str  # "Invoice INV-2026-00012 for December", "Manicure on 5 December, 10:00"
    amount: int  # kopecks still due
    pay_url: str  # the public page that takes the money (the shared checkout)
    due_at: datetime | None = None  # pay by this moment; None = no deadline
    created_at: datetime | None = None


PayablesProvider = Callable[["Organization", Sequence[int]], dict[int, list[Payable]]]

_providers: dict[str, PayablesProvider] = {}


@functools.cache
def _discover() -> None:
    """Import every installed app's `payables` once (they declare on import)."""
    autodiscover_modules("payables")


def payables_declare(key: str, provider: PayablesProvider) -> PayablesProvider:
    """Declare `provider(organization, client_ids) -> {client_id: [Payable]}` under `key`.
    Declaring the same key again replaces it (a module imported twice in tests)."""
    _providers[key] = provider
    return provider


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
