"""What the apps above the ledger do when one of their entries is cancelled.

The ledger sits below memberships, schedule and the purpose apps (DESIGN rule 14), so it may
not call them; yet a cancelled entry can stand for one of their facts — the charge of a
membership sale *is* the sale. An app whose objects cause entries declares, in its
`ledger_hooks.py` (found like `jobs.py`), what follows for entries caused by its model::

    @on_entry_cancelled("memberships.clientmembership")
    def sale_entry_cancelled(entry: Entry, actor: Actor, reason: str) -> dict[str, Any]:
        ...  # returns what it changed, for the entry's audit row

The handler runs inside `entry_cancel`'s transaction: the entry and what it stands for change
together or not at all (a handler that raises rolls the cancellation back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.module_loading import autodiscover_modules

from zapys.core.audit import Actor
from zapys.ledger.models import Entry

EntryCancelled = Callable[[Entry, Actor, str], dict[str, Any]]

_HANDLERS: dict[str, list[EntryCancelled]] = {}
_discovered = False


def on_entry_cancelled(cause_type: str) -> Callable[[EntryCancelled], EntryCancelled]:
    """Register a handler for cancelled entries caused by `cause_type` ("app.model")."""

    def decorator(handler: EntryCancelled) -> EntryCancelled:
        handlers = _HANDLERS.setdefault(cause_type, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    return decorator


def entry_cancelled_dispatch(entry: Entry, *, actor: Actor, reason: str) -> dict[str, Any]:
    """Run the handlers of the entry's cause; what they changed, merged."""
    global _discovered
    if not _discovered:
        autodiscover_modules("ledger_hooks")
        _discovered = True
    changes: dict[str, Any] = {}
    for handler in _HANDLERS.get(entry.cause_type, ()):
        changes.update(handler(entry, actor, reason) or {})
    return changes
