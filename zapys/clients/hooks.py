"""What the apps above clients plug into it: the client's balance, the opening balance an
import brings, and what follows when a client is frozen or the freeze ends.

The clients app sits below the ledger and memberships (DESIGN rule 14, `docs/architecture.md`),
so it may not import them; yet the client card shows a balance the ledger keeps, an import
carries opening balances the ledger posts, and a freeze extends memberships. Each app declares
its part in its `clients_hooks.py` (found like `jobs.py`); clients knows no app above it by
name.

The balance. Exactly one app keeps balances (the ledger)::

    balance_provider_declare(
        BalanceProvider(
            client_balance=...,        # (client) -> kopecks, one query
            balances_for=...,          # ([client ids]) -> {id: kopecks}, one query for all
            opening_balance_post=...,  # (*, client, amount, actor) -> the entry, or None for 0
        )
    )

None declared is a programming error, not a balance of 0: `client_balance` raises.

Freezes. Any number of apps may react; the handler runs inside the freeze's transaction
(`client_freeze` / `client_unfreeze`) and returns how many of its objects changed, for the
client's audit row::

    @on_client_frozen
    def extend(*, client: Client, freeze: ClientFreeze, actor: Actor, reason: str) -> int: ...

With no handler there is nothing to extend: the count is 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from zapys.clients.models import Client, ClientFreeze
from zapys.core.audit import Actor


class FreezeHandler(Protocol):
    def __call__(
        self, *, client: Client, freeze: ClientFreeze, actor: Actor, reason: str
    ) -> int: ...


class OpeningBalancePost(Protocol):
    def __call__(self, *, client: Client, amount: int, actor: Actor) -> Any: ...


@dataclass(frozen=True)
class BalanceProvider:
    client_balance: Callable[[Client], int]
    balances_for: Callable[[list[int]], dict[int, int]]
    opening_balance_post: OpeningBalancePost


_provider: BalanceProvider | None = None
_FROZEN: list[FreezeHandler] = []
_UNFROZEN: list[FreezeHandler] = []
_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("clients_hooks")
        _discovered = True


def balance_provider_declare(provider: BalanceProvider) -> BalanceProvider:
    """Declare the app that keeps balances (see the module doc); a second one is an error."""
    global _provider
    if _provider is not None and _provider != provider:
        raise ImproperlyConfigured("Client balances are provided twice.")
    _provider = provider
    return provider


def _balances() -> BalanceProvider:
    _discover()
    if _provider is None:
        raise ImproperlyConfigured(
            "No app provides client balances: the ledger declares them in ledger/clients_hooks.py."
        )
    return _provider


def client_balance(client: Client) -> int:
    """The client's balance in kopecks (negative = owes)."""
    return _balances().client_balance(client)


def balances_for(client_ids: Iterable[int]) -> dict[int, int]:
    """{client_id: balance in kopecks} for a list in one query; clients without entries → 0."""
    ids = list(client_ids)
    found = _balances().balances_for(ids)
    return {i: found.get(i, 0) for i in ids}


def opening_balance_post(*, client: Client, amount: int, actor: Actor) -> Any:
    """An opening balance from an import: positive = money the client has, negative = a debt."""
    return _balances().opening_balance_post(client=client, amount=amount, actor=actor)


def on_client_frozen(handler: FreezeHandler) -> FreezeHandler:
    """Register what follows a new freeze (a decorator; registering twice is a no-op)."""
    if handler not in _FROZEN:
        _FROZEN.append(handler)
    return handler


def on_client_unfrozen(handler: FreezeHandler) -> FreezeHandler:
    """Register what follows a freeze ended early or cancelled (the days no longer frozen)."""
    if handler not in _UNFROZEN:
        _UNFROZEN.append(handler)
    return handler


def client_frozen(*, client: Client, freeze: ClientFreeze, actor: Actor, reason: str) -> int:
    """Run the freeze handlers; how many objects they changed in all."""
    _discover()
    return sum(h(client=client, freeze=freeze, actor=actor, reason=reason) for h in _FROZEN)


def client_unfrozen(*, client: Client, freeze: ClientFreeze, actor: Actor, reason: str) -> int:
    """Run the handlers of an ended or cancelled freeze; how many objects they changed."""
    _discover()
    return sum(h(client=client, freeze=freeze, actor=actor, reason=reason) for h in _UNFROZEN)
