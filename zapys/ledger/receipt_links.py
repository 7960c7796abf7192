"""Links to a client's receipts kept elsewhere (a fiscal receipt at the tax service): the
registry apps above the ledger fill, so the client's cabinet lists them without naming the
app that issues them (fiscal is the cabinet's peer, DESIGN rule 14).

    # zapys/<app>/receipt_links.py
    from zapys.ledger.receipt_links import ReceiptLink, receipt_links_declare

    def links_for(organization, client_id, limit):   # one query
        return [ReceiptLink(...), ...]

    receipt_links_declare("fiscal", links_for)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


@dataclass(frozen=True)
class ReceiptLink:
    """One receipt the client may open, in words a client reads."""

    title: str  # "Fiscal receipt #123-456, sale"
    amount: int  # kopecks
    url: str  # the receipt's own page (never a staff page)
    created_at: datetime


ReceiptLinksProvider = Callable[["Organization", int, int], list[ReceiptLink]]

_providers: dict[str, ReceiptLinksProvider] = {}


@functools.cache
def _discover() -> None:
    autodiscover_modules("receipt_links")


def receipt_links_declare(key: str, provider: ReceiptLinksProvider) -> ReceiptLinksProvider:
    """Declare `provider(organization, client_id, limit) -> [ReceiptLink]` (one query)."""
    _providers[key] = provider
    return provider


def receipt_links_for(
    organization: Organization, client_id: int, *, limit: int
) -> list[ReceiptLink]:
    """The client's newest receipt links from every provider, newest first, at most `limit`."""
    _discover()
    links = [
        link
        for key in sorted(_providers)
        for link in _providers[key](organization, client_id, limit)
    ]
    links.sort(key=lambda link: link.created_at, reverse=True)
    return links[:limit]
