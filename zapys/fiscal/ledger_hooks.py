"""What the fiscal app plugs into the ledger: a fiscal receipt asked for on every till
movement of the money service (in its transaction; see ledger.hooks.on_money_moved)."""

from __future__ import annotations

from zapys.fiscal.services import receipt_ask
from zapys.ledger.hooks import MoneyMoved, on_money_moved


@on_money_moved
def fiscal_receipt_ask(moved: MoneyMoved) -> None:
    receipt_ask(moved)
