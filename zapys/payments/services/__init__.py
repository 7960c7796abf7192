"""Writes of the payments app: accounts, payments, their state machine, callbacks, refunds.

Every transition is one function that moves `status` with a conditional UPDATE
(`UPDATE ... WHERE id = ... AND status IN (allowed)`, `state._move`) and checks the row count
(DESIGN rule 7), then calls the purpose handler and writes one audit row. Callbacks and polls
go through `payment_event_process` (DESIGN rule 6): store the event under a UNIQUE
dedupe key, lock the payment, check it matches, transition.

The modules, by concern: `state` (the one move and its audit row), `accounts`, `creating`,
`transitions` (succeeded / failed / expired, and a purpose that fails), `review` (held for
review), `events` (provider callbacks and polls), `refunds`, `reconciliation`. Every public name
is importable from `zapys.payments.services` as before the split; reads are in
`payments.selectors` (`checkout_form`, re-exported here for its old callers).
"""

from zapys.payments.gateway import callback_url, provider_for
from zapys.payments.selectors import checkout_form
from zapys.payments.services.accounts import (
    ACCOUNT_KEY_FIELD,
    CREDENTIAL_FIELDS,
    payment_account_create,
    payment_account_update,
)
from zapys.payments.services.creating import payment_create
from zapys.payments.services.events import payment_callback_handle, payment_event_process
from zapys.payments.services.reconciliation import payment_reconcile
from zapys.payments.services.refunds import payment_refund
from zapys.payments.services.review import notify_staff, payment_hold, payment_release
from zapys.payments.services.state import OPEN_STATUSES, PAID_STATUSES
from zapys.payments.services.transitions import (
    PurposeFailed,
    payment_expire,
    payment_fail,
    payment_succeed,
)

__all__ = [
    "ACCOUNT_KEY_FIELD",
    "CREDENTIAL_FIELDS",
    "OPEN_STATUSES",
    "PAID_STATUSES",
    "PurposeFailed",
    "callback_url",
    "checkout_form",
    "notify_staff",
    "payment_account_create",
    "payment_account_update",
    "payment_callback_handle",
    "payment_create",
    "payment_event_process",
    "payment_expire",
    "payment_fail",
    "payment_hold",
    "payment_reconcile",
    "payment_refund",
    "payment_release",
    "payment_succeed",
    "provider_for",
]
