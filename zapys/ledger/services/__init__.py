"""Writes of the ledger, financial operations and sales receipts.

Every function is one transaction with one audit row. Entries are only ever inserted;
`entry_cancel` is the single state change and it is a conditional UPDATE
(`WHERE status = 'active'`), so two people cancelling at once cannot both win.

A cancelled entry takes with it what it caused outside the ledger (seed: a cancelled
transaction "stays in the system with the cancelled status and does not count in the
payments report"; FEATURES C5: "excluded from balance and reports"): the financial
operation recorded for that money, and the sales receipt's payment (or line) it stands
for. They are cancelled in the same transaction — kept, marked, excluded from every total
— and the receipt's `paid` (or `total`) goes down, so a receipt whose payment was
cancelled shows as unpaid again. Nothing is ever deleted.

One module a concern: `accounts`, `entries` (insert, cancel and what a cancellation takes
with it), `operations` (the till's money), `receipts`, `finance_setup` (payment types, cash
desks, articles) and `checks` (what they all validate). Money that arrives or is refunded
goes through `zapys.ledger.money`, which records entry, operation and receipt together.
Every name `zapys.ledger.services` had is importable from here as before.
"""

from zapys.ledger.services.accounts import (
    account_base_for,
    account_create_separate,
    accounts_base_for_clients,
    accounts_base_for_many,
)
from zapys.ledger.services.checks import MAX_AMOUNT, validate_amount
from zapys.ledger.services.entries import (
    CANCEL_ROLES,
    PAID_BY_CLIENT,
    entries_cancel_for_cause,
    entry_cancel,
    entry_create,
    entry_record_by_staff,
)
from zapys.ledger.services.finance_setup import (
    DEFAULT_PAYMENT_TYPE_NAMES,
    cash_desk_create,
    finance_article_create,
    finance_article_for,
    finance_article_set_archived,
    payment_type_create,
    payment_type_for,
    payment_type_set_active,
)
from zapys.ledger.services.operations import financial_operation_create
from zapys.ledger.services.receipts import sales_receipt_create
from zapys.ledger.services.writer import LedgerWrite

__all__ = [
    "CANCEL_ROLES",
    "DEFAULT_PAYMENT_TYPE_NAMES",
    "MAX_AMOUNT",
    "PAID_BY_CLIENT",
    "LedgerWrite",
    "account_base_for",
    "account_create_separate",
    "accounts_base_for_clients",
    "accounts_base_for_many",
    "cash_desk_create",
    "entries_cancel_for_cause",
    "entry_cancel",
    "entry_create",
    "entry_record_by_staff",
    "finance_article_create",
    "finance_article_for",
    "finance_article_set_archived",
    "financial_operation_create",
    "payment_type_create",
    "payment_type_for",
    "payment_type_set_active",
    "sales_receipt_create",
    "validate_amount",
]
