"""What the ledger provides to the clients app (see `clients.hooks`): the client's balance,
one or many at a time, and the opening balance a client import brings."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from zapys.clients.hooks import BalanceProvider, balance_provider_declare
from zapys.clients.models import Client
from zapys.core.audit import Actor
from zapys.core.stored_text import StoredText
from zapys.ledger import selectors, services
from zapys.ledger.models import Entry


def opening_balance_post(*, client: Client, amount: int, actor: Actor) -> Entry | None:
    """Positive → a debit (money the client has), negative → a credit (a debt); 0 → nothing."""
    if amount == 0:
        return None
    return services.entry_create(
        client=client,
        kind="debit" if amount > 0 else "credit",
        amount=abs(amount),
        purpose="opening_balance",
        actor=actor,
        comment=StoredText(gettext_noop("Opening balance (import)")),
    )


balance_provider_declare(
    BalanceProvider(
        client_balance=selectors.client_balance,
        balances_for=selectors.balances_for,
        opening_balance_post=opening_balance_post,
    )
)
