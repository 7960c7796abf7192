"""Reads of the top-up app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from zapys.payments.selectors import PaymentFilters, payment_list
from zapys.topups.services import TOP_UP

if TYPE_CHECKING:
    from zapys.clients.models import Client
    from zapys.payments.models import Payment


def client_topups(client: Client, *, limit: int = 10) -> QuerySet[Payment]:
    """The client's latest top-ups, newest first, with what a row shows (one query)."""
    return payment_list(PaymentFilters(client_id=client.pk, purpose=TOP_UP))[:limit]
