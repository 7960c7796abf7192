"""What the apps above the ledger plug into it: their finance articles, and what follows
when one of their entries is cancelled.

Each app declares both in its `ledger_hooks.py` (found like `jobs.py`); the ledger knows no
app above it by name.

Finance articles. The money an app takes lands in the till under the app's own article
("Prepayments", "Membership sales"), created in an organization on first use, named in the
organization's language and renamable by the business::

    finance_article_declare("prepayments", kind="income", label=gettext_lazy("Prepayments"))

Cancelled entries.

The ledger sits below memberships, schedule and the purpose apps (DESIGN rule 14), so it may
not call them; yet a cancelled entry can stand for one of their facts — the charge of a
membership sale *is* the sale. An app whose objects cause entries declares, in its
`ledger_hooks.py` (found like `jobs.py`), what follows for entries caused by its model::

    @on_entry_cancelled("memberships.clientmembership")
    def sale_entry_cancelled(entry: Entry, actor: Actor, reason: str) -> dict[str, Any]:
        ...  # returns what it changed, for the entry's audit row

The handler runs inside `entry_cancel`'s transaction: the entry and what it stands for change
together or not at all (a handler that raises rolls the cancellation back).

Money moved. An app that must act on every till movement the money service writes (the fiscal
app asks for a fiscal receipt) declares, in its `ledger_hooks.py`::

    @on_money_moved
    def fiscal_receipt_ask(moved: MoneyMoved) -> None: ...

It runs inside the money service's transaction, after the operation (and the sales receipt)
are written: what it writes commits with the money or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

from zapys.core.audit import Actor
from zapys.core.stored_text import TextOrStored
from zapys.ledger.models import Entry, FinancialOperation

EntryCancelled = Callable[[Entry, Actor, str], dict[str, Any]]

_HANDLERS: dict[str, list[EntryCancelled]] = {}
_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("ledger_hooks")
        _discovered = True


@dataclass(frozen=True)
class SystemArticle:
    code: str
    kind: str  # FinanceArticle.Kind: "income" or "expense"
    label: Any  # a lazy translation: named in the organization's language on creation


_ARTICLES: dict[str, SystemArticle] = {}


def finance_article_declare(code: str, *, kind: str, label: Any) -> SystemArticle:
    """Declare an article an app records money under (see the module doc)."""
    if kind not in ("income", "expense"):
        raise ValueError(f"Article {code!r}: kind is income or expense, not {kind!r}")
    article = SystemArticle(code, kind, label)
    known = _ARTICLES.get(code)
    if known is not None and known != article:
        raise ValueError(f"Finance article {code!r} is declared twice")
    _ARTICLES[code] = article
    return article


def finance_articles_declared() -> dict[str, SystemArticle]:
    _discover()
    return _ARTICLES


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
    _discover()
    changes: dict[str, Any] = {}
    for handler in _HANDLERS.get(entry.cause_type, ()):
        changes.update(handler(entry, actor, reason) or {})
    return changes


@dataclass(frozen=True)
class MoneyMoved:
    """One till movement written by `ledger.money`: money in ("in": a payment, a sale) or
    back out ("out": a refund, a cancelled unassigned sale). `operation` carries the branch,
    payment type, amount and cause; `lines` are the receipt's (name, kopecks) for money in,
    each name as the seller gave it: text as typed or a `StoredText` (render it in the
    language the reader needs: the fiscal receipt's is Ukrainian)."""

    operation: FinancialOperation
    direction: str
    lines: tuple[tuple[TextOrStored, int], ...]
    actor: Actor


MoneyMovedHandler = Callable[[MoneyMoved], None]
_MONEY_HANDLERS: list[MoneyMovedHandler] = []


def on_money_moved(handler: MoneyMovedHandler) -> MoneyMovedHandler:
    """Register a handler for every till movement of the money service (see the module doc)."""
    if handler not in _MONEY_HANDLERS:
        _MONEY_HANDLERS.append(handler)
    return handler


def money_moved_dispatch(moved: MoneyMoved) -> None:
    _discover()
    for handler in _MONEY_HANDLERS:
        handler(moved)
