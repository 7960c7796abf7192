"""Reads of the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone

from zapys.waitlist.models import Entry, Offer


@dataclass(frozen=True)
class EntryFilters:
    status: str = ""
    client_id: int | None = None
    service_id: int | None = None
    staff_id: int | None = None


def entry_list(filters: EntryFilters) -> QuerySet[Entry]:
    """Entries with what a row shows (client, service, specialist, lesson) and each one's
    latest offer: a constant number of queries for any page (select + one prefetch)."""
    qs = Entry.objects.select_related(
        "client", "service", "staff", "lesson__group", "lesson__subject", "lesson__lesson_type"
    ).prefetch_related(
        Prefetch("offers", queryset=Offer.objects.order_by("-id"), to_attr="offers_newest")
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.client_id:
        qs = qs.filter(client_id=filters.client_id)
    if filters.service_id:
        qs = qs.filter(service_id=filters.service_id)
    if filters.staff_id:
        qs = qs.filter(staff_id=filters.staff_id)
    return qs.order_by("created_at", "id")


def entry_get(*, entry_id: int) -> Entry:
    return entry_list(EntryFilters()).get(pk=entry_id)


def latest_offer(entry: Entry) -> Offer | None:
    offers = getattr(entry, "offers_newest", None)
    if offers is None:
        return entry.offers.order_by("-id").first()
    return offers[0] if offers else None


def entry_json(entry: Entry) -> dict[str, Any]:
    """The API.md shape: `offer_url` / `offer_expires_at` while an offer awaits the client."""
    offer = latest_offer(entry)
    open_offer = offer if offer is not None and offer.status == Offer.Status.OPEN else None
    return {
        "id": entry.pk,
        "client_id": entry.client_id,
        "service_id": entry.service_id,
        "staff_id": entry.staff_id,
        "lesson_id": entry.lesson_id,
        "date_from": entry.date_from,
        "date_to": entry.date_to,
        "status": entry.status,
        "offer_url": open_offer.offer_url if open_offer else None,
        "offer_expires_at": open_offer.expires_at if open_offer else None,
        "created_at": entry.created_at,
    }


def resold(*, since: datetime | None = None, days: int = 30) -> dict[str, int]:
    """Slots re-sold from the waiting list: booked offers and the money they brought."""
    since = since or timezone.now() - timedelta(days=days)
    totals = Offer.objects.filter(status=Offer.Status.BOOKED, closed_at__gte=since).aggregate(
        count=Count("id"), amount=Sum("amount")
    )
    return {"count": totals["count"] or 0, "amount": totals["amount"] or 0}
