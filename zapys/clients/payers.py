"""Who pays for a client (X6: a parent for a child), as the clients API reads and writes it.

The payer is kept by the app that bills (invoices: `invoices.ClientPayer`), above clients in
the layers, so clients may not import it. That app declares how to read and set it in its
`clients_hooks.py` (found by `clients.hooks._discover`)::

    payer_provider_declare(
        PayerProvider(
            payers_for=...,  # (organization, [client ids]) -> {client id: payer id}, one query for all
            payer_set=...,   # (*, client, payer_id | None, actor, field) -> None; validates
        )
    )

With none declared nobody has a payer (`payer_id` is null); setting one is then a
programming error (the billing app is not installed), not a user's mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from zapys.accounts.models import Organization
from zapys.clients import hooks
from zapys.clients.models import Client
from zapys.core.audit import Actor


class PayerSet(Protocol):
    def __call__(
        self, *, client: Client, payer_id: int | None, actor: Actor, field: str
    ) -> None: ...


@dataclass(frozen=True)
class PayerProvider:
    payers_for: Callable[[Organization, list[int]], dict[int, int]]
    payer_set: PayerSet


_provider: PayerProvider | None = None


def payer_provider_declare(provider: PayerProvider) -> PayerProvider:
    """Declare the app that keeps payers; a second, different one is an error."""
    global _provider
    if _provider is not None and _provider != provider:
        raise ImproperlyConfigured("Client payers are provided twice.")
    _provider = provider
    return provider


def payers_for(organization: Organization, client_ids: Iterable[int]) -> dict[int, int]:
    """{client id: payer id} for the clients that have a payer (one query; none declared:
    nobody has one)."""
    hooks._discover()
    ids = list(client_ids)
    if _provider is None or not ids:
        return {}
    return _provider.payers_for(organization, ids)


def payer_set(
    *, client: Client, payer_id: int | None, actor: Actor, field: str = "payer_id"
) -> None:
    """Set or clear (None) the client's payer; the provider refuses a payer of another
    organization, the client themself and a chain (a field error on `field`)."""
    hooks._discover()
    if _provider is None:
        if payer_id is None:
            return
        raise ImproperlyConfigured("No app keeps client payers (invoices declares them).")
    _provider.payer_set(client=client, payer_id=payer_id, actor=actor, field=field)
