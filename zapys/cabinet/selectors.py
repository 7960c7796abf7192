"""Reads of the client's cabinet (K1): everything one card shows, in a fixed number of
queries whatever the client's history (lists are bounded, sums are one aggregate).

The cabinet is found by the client's token only; every read after that is scoped to the
token's organization and to the clients of the token's family (`clients.cabinet`: the same
phone, or whom the client pays for), so no other client's or organization's data can be
asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone

from zapys.cabinet.receipt_names import line_name
from zapys.clients.models import Client
from zapys.ledger.models import (
    Entry,
    LinkedStatus,
    SalesReceipt,
    SalesReceiptLine,
)
from zapys.ledger.receipt_links import ReceiptLink, receipt_links_for
from zapys.memberships.models import ClientMembership
from zapys.payments.payables import Payable, payables_for_clients
from zapys.schedule import hooks as schedule_hooks
from zapys.schedule.models import Attendance

#: How many rows each list shows (the page's cost does not grow with the history).
UPCOMING_LIMIT = 10
PAST_LIMIT = 15
ENTRIES_LIMIT = 15
RECEIPTS_LIMIT = 10
MEMBERSHIPS_LIMIT = 20
#: The client's own cancel page of a booked visit (the cancellation policy's, by URL name:
#: the cabinet imports no purpose app). Where it is not installed no link is offered.
CLIENT_CANCEL_URL = "prepayments:client_cancel"


@dataclass
class Balance:
    paid: int  # money the client brought: payments, top-ups, prepayments
    charged: int  # what visits, memberships and sales cost, refunds paid out
    balance: int  # paid − charged
    #: How many operations the sums count: the page lists only the last ENTRIES_LIMIT of
    #: them and says so when there are more, so the list need not add up to the totals.
    operations: int = 0

    @property
    def owed(self) -> int:
        """What the client owes (0 when the balance is not below zero)."""
        return max(-self.balance, 0)


@dataclass
class CabinetCard:
    client: Client
    balance: Balance
    entries: list[Entry]
    upcoming: list[Attendance]
    past: list[Attendance]
    memberships: list[ClientMembership]
    payables: list[Payable]
    receipts: list[SalesReceipt]
    fiscal: list[ReceiptLink]
    today: date

    @property
    def all_receipts(self) -> list[SalesReceipt | ReceiptLink]:
        """Sales receipts and fiscal receipt links in one list, newest first (the client
        reads one list by date, not two lists each in its own order)."""
        both: list[SalesReceipt | ReceiptLink] = [*self.receipts, *self.fiscal]
        return sorted(both, key=lambda item: item.created_at, reverse=True)


def client_balance_totals(client: Client) -> Balance:
    """What was paid and what was charged (active entries) and how many entries that is,
    one aggregate query."""
    totals = (
        Entry.objects.for_org(client.organization)
        .filter(client=client, status=Entry.Status.ACTIVE)
        .aggregate(
            paid=Sum("amount", filter=Q(kind=Entry.Kind.DEBIT), default=0),
            charged=Sum("amount", filter=Q(kind=Entry.Kind.CREDIT), default=0),
            operations=Count("id"),
        )
    )
    paid, charged = int(totals["paid"]), int(totals["charged"])
    return Balance(
        paid=paid, charged=charged, balance=paid - charged, operations=int(totals["operations"])
    )


def cabinet_card(client: Client, *, now: datetime | None = None) -> CabinetCard:
    """One client's cabinet, in a fixed number of queries (see the module's docstring)."""
    organization = client.organization
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    attendances = (
        Attendance.objects.for_org(organization)
        .filter(client=client)
        .select_related(
            "visit__status",
            "visit__service",
            "visit__group",
            "visit__subject",
            "visit__lesson_type",
            "visit__staff",
            "visit__branch",
        )
    )
    upcoming = list(
        attendances.filter(
            visit__starts_at__gte=now,
            visit__status__is_cancellation=False,
            state=Attendance.State.PLANNED,
        ).order_by("visit__starts_at", "id")[:UPCOMING_LIMIT]
    )
    past = list(
        attendances.filter(visit__starts_at__lt=now).order_by("-visit__starts_at", "-id")[
            :PAST_LIMIT
        ]
    )
    # What a payment paid for: the first line of the receipt it paid, and what a charge
    # sold: its own receipt line — subqueries of the one entries query. (No receipt number:
    # a receipt has none of its own, and its database id is no number to show a client.)
    sold_line = SalesReceiptLine.objects.filter(status=LinkedStatus.ACTIVE).order_by("id")
    entries = list(
        Entry.objects.for_org(organization)
        .filter(client=client, status=Entry.Status.ACTIVE)
        .annotate(
            paid_for=Subquery(
                sold_line.filter(
                    receipt__payments__entry=OuterRef("pk"),
                    receipt__payments__status=LinkedStatus.ACTIVE,
                ).values("name")[:1]
            ),
            sold_as=Subquery(sold_line.filter(entry=OuterRef("pk")).values("name")[:1]),
        )
        .order_by("-created_at", "-id")[:ENTRIES_LIMIT]
    )
    stored_language = organization.language or "uk"
    for entry in entries:
        entry.shown_as = entry_words(entry, stored_language=stored_language)  # type: ignore[attr-defined]
    memberships = list(
        ClientMembership.objects.for_org(organization)
        .filter(client=client, status=ClientMembership.Status.ACTIVE, ends_on__gte=today)
        # the groups a membership is limited to (set at an online sale's attach): the
        # client reads where it can be used
        .prefetch_related("groups")
        .order_by("ends_on", "id")[:MEMBERSHIPS_LIMIT]
    )
    receipts = list(
        SalesReceipt.objects.for_org(organization)
        .filter(client=client)
        .prefetch_related("lines")
        .order_by("-created_at", "-id")[:RECEIPTS_LIMIT]
    )
    for receipt in receipts:
        for line in receipt.lines.all():
            # Standard names (top-up, prepayment…) in the page's language; typed ones as is.
            # A line written since issue 17 keeps its msgid (`name_text`); older rows are
            # recognised by their pattern.
            line.display_name = (  # type: ignore[attr-defined]
                line.name_shown
                if line.name_text
                else line_name(line.name, stored_language=stored_language)
            )
    payables = payables_for_clients(organization, [client.pk])[client.pk]
    links = cancel_links(upcoming)
    for attendance in upcoming:
        attendance.cancel_url = links.get(attendance.visit_id)  # type: ignore[attr-defined]
    return CabinetCard(
        client=client,
        balance=client_balance_totals(client),
        entries=entries,
        upcoming=upcoming,
        past=past,
        memberships=memberships,
        payables=payables,
        receipts=receipts,
        fiscal=receipt_links_for(organization, client.pk, limit=RECEIPTS_LIMIT),
        today=today,
    )


#: Debits whose purpose says nothing beside "You paid" (the receipt's line says what for).
_PLAIN_PAYMENTS = frozenset({Entry.Purpose.PAYMENT, Entry.Purpose.OTHER, Entry.Purpose.CORRECTION})


def entry_words(entry: Entry, *, stored_language: str) -> str:
    """What follows "You paid" / "Taken from the balance" / "Returned to you" on an entry's
    row: the receipt line it paid or sold when there is one (`paid_for` / `sold_as`,
    annotated), else the entry's own `what_for`; "" where that would only repeat "paid"
    ("You paid · Payment"). No query."""
    if entry.kind == Entry.Kind.DEBIT:
        paid_for = getattr(entry, "paid_for", None)
        if paid_for:
            return line_name(paid_for, stored_language=stored_language)
        return "" if entry.purpose in _PLAIN_PAYMENTS else entry.what_for
    sold_as = getattr(entry, "sold_as", None)
    named = entry.what_for
    if sold_as and named == str(entry.get_purpose_display()):
        return line_name(sold_as, stored_language=stored_language)
    return named


def client_cancel_offered() -> bool:
    """Whether the cancellation policy's client page is installed (no query)."""
    try:
        reverse(CLIENT_CANCEL_URL, kwargs={"token": "x"})
    except NoReverseMatch:
        return False
    return True


def cancel_links(upcoming: list[Attendance]) -> dict[int, str]:
    """Upcoming visits with a live booking (awaiting or paid) link to the booking's cancel
    page, where the policy says what cancelling costs. The bookings come through
    `schedule.hooks.bookings_for` (one query for the list); the page's token is read from
    the booking's own page address by the URL resolver."""
    if not upcoming or not client_cancel_offered():
        return {}
    links: dict[int, str] = {}
    for visit_id, booking in schedule_hooks.bookings_for([a.visit for a in upcoming]).items():
        if booking.get("status") not in ("pending", "paid") or not booking.get("payment_url"):
            continue
        try:
            token = resolve(urlsplit(str(booking["payment_url"])).path).kwargs.get("token")
        except Resolver404:
            continue
        if token:
            links[visit_id] = reverse(CLIENT_CANCEL_URL, kwargs={"token": token})
    return links
