"""Reads of the waiting list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from zapys.accounts.models import Branch, User
from zapys.catalog.models import Service
from zapys.waitlist.models import DeferredSlot, Entry, Offer


@dataclass(frozen=True)
class EntryFilters:
    status: str = ""
    client_id: int | None = None
    service_id: int | None = None
    staff_id: int | None = None
    #: the entries a branch's freed time could serve (`entry_in_branch`, the dashboard's rule)
    branch: Branch | None = None


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
    if filters.branch is not None:
        qs = qs.filter(entry_in_branch(filters.branch))
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


def resold(
    *, since: datetime | None = None, days: int = 30, branch: Branch | None = None
) -> dict[str, int]:
    """Slots re-sold from the waiting list: booked offers and the money they brought (in
    one branch: the offers of its times; every offer names the branch of its time)."""
    since = since or timezone.now() - timedelta(days=days)
    booked = Offer.objects.filter(status=Offer.Status.BOOKED, closed_at__gte=since)
    if branch is not None:
        booked = booked.filter(branch=branch)
    totals = booked.aggregate(count=Count("id"), amount=Sum("amount"))
    return {"count": totals["count"] or 0, "amount": totals["amount"] or 0}


def entry_in_branch(branch: Branch) -> Q:
    """An entry a branch's freed time could serve. An entry names no branch: it names what
    it waits for, and each thing named must be had there — its lesson is the branch's, its
    specialist works there (or is an owner: every branch is theirs, as the dashboard's staff
    count has it), its service is provided there (a service tied to no branch is provided in
    all). An entry for "any specialist" and a service of every branch waits in every
    branch: it is counted in each (whichever frees the time first, that client is offered
    it)."""
    works_there = Exists(
        User.branches.through.objects.filter(user_id=OuterRef("staff_id"), branch_id=branch.pk)
    )
    provided_there = Exists(
        Service.branches.through.objects.filter(
            service_id=OuterRef("service_id"), branch_id=branch.pk
        )
    )
    provided_everywhere = ~Exists(
        Service.branches.through.objects.filter(service_id=OuterRef("service_id"))
    )
    return (
        (Q(lesson__isnull=True) | Q(lesson__branch_id=branch.pk))
        & (Q(staff__isnull=True) | Q(staff__role=User.Role.OWNER) | Q(works_there))
        & (Q(service__isnull=True) | Q(provided_there) | Q(provided_everywhere))
    )


def waiting_count(branch: Branch | None = None) -> int:
    """Clients waiting or offered a time (in a branch: `entry_in_branch`), one query."""
    live = Entry.objects.filter(status__in=(Entry.Status.WAITING, Entry.Status.OFFERED))
    if branch is not None:
        live = live.filter(entry_in_branch(branch))
    return live.count()


def deferred_summary() -> dict[str, Any]:
    """The freed times kept back through the quiet hours: how many, and when the first is
    offered (one query)."""
    return DeferredSlot.objects.aggregate(count=Count("id"), first=Min("offer_at"))
