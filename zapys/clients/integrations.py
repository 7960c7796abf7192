"""Calls into the ledger and memberships apps, behind one seam.

The clients app comes before the ledger and memberships in INSTALLED_APPS and must work
while they are being built: each call here imports the other app's contract lazily and
degrades to "nothing to do" only when that module does not exist yet. Tests replace
these functions to check what the clients app asks of the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from zapys.clients.models import Client, ClientFreeze
    from zapys.core.audit import Actor


def _module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None  # the app's module is not written yet
        raise


def ledger_available() -> bool:
    services = _module("zapys.ledger.services")
    return services is not None and hasattr(services, "entry_create")


def client_balance(client: Client) -> int:
    selectors = _module("zapys.ledger.selectors")
    if selectors is None or not hasattr(selectors, "client_balance"):
        return 0
    return int(selectors.client_balance(client))


def balances_for(client_ids: Iterable[int]) -> dict[int, int]:
    """{client_id: balance in kopecks} in one query; clients without entries → 0."""
    ids = list(client_ids)
    selectors = _module("zapys.ledger.selectors")
    if selectors is None or not hasattr(selectors, "balances_for") or not ids:
        return dict.fromkeys(ids, 0)
    found = selectors.balances_for(ids)
    return {i: int(found.get(i, 0)) for i in ids}


def opening_balance_post(*, client: Client, amount: int, actor: Actor) -> Any:
    """An opening balance from an import: positive → debit (money in), negative → credit."""
    if amount == 0:
        return None
    services = _module("zapys.ledger.services")
    if services is None or not hasattr(services, "entry_create"):
        from zapys.core.exceptions import DomainError

        raise DomainError(_("The ledger is not available: opening balances cannot be posted."))
    return services.entry_create(
        client=client,
        kind="debit" if amount > 0 else "credit",
        amount=abs(amount),
        purpose="opening_balance",
        actor=actor,
        comment="Opening balance (import)",
    )


def memberships_freeze(*, client: Client, freeze: ClientFreeze, actor: Actor, reason: str) -> int:
    """The client was frozen: extend their memberships by the frozen days each was valid
    on. Returns how many memberships changed."""
    services = _module("zapys.memberships.services")
    if services is None or not hasattr(services, "membership_freeze_extend"):
        return 0
    return int(
        services.membership_freeze_extend(client=client, freeze=freeze, actor=actor, reason=reason)
    )


def memberships_unfreeze(*, client: Client, freeze: ClientFreeze, actor: Actor, reason: str) -> int:
    """The freeze was ended early or cancelled: take back the days it no longer covers."""
    services = _module("zapys.memberships.services")
    if services is None or not hasattr(services, "membership_freeze_release"):
        return 0
    return int(
        services.membership_freeze_release(client=client, freeze=freeze, actor=actor, reason=reason)
    )
