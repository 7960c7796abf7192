"""Reads of the client's cabinet (K1): everything one card shows, in a fixed number of
queries whatever the client's history (lists are bounded, sums are one aggregate).

The cabinet is found by the client's token only; every read after that is scoped to the
token's organization and to the clients of the token's family (`clients.cabinet`: the same
phone, or whom the client pays for), so no other client's or organization's data can be
asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext

from zapys.cabinet.receipt_names import line_name
from zapys.clients.models import Client
from zapys.ledger.models import (
    Account,
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

if TYPE_CHECKING:
    from zapys.accounts.models import Organization

#: How many rows each list shows (the page's cost does not grow with the history).
UPCOMING_LIMIT = 10
PAST_LIMIT = 15
ENTRIES_LIMIT = 15
#: «Show all»: the whole statement, still bounded (one page's worth of years of visits).
ENTRIES_ALL_LIMIT = 500
RECEIPTS_LIMIT = 10
MEMBERSHIPS_LIMIT = 20
#: The client's own cancel page of a booked visit (the cancellation policy's, by URL name:
#: the cabinet imports no purpose app). Where it is not installed no link is offered.
CLIENT_CANCEL_URL = "prepayments:client_cancel"
#: The client's own page to move a visit whose prepayment is paid (the same app's).
CLIENT_MOVE_URL = "prepayments:client_move"


@dataclass
class Balance:
    paid: int  # money the client brought: payments, top-ups, prepayments
    charged: int  # what visits, memberships and sales cost, refunds paid out
    balance: int  # paid − charged
    #: How many operations the sums count: the page lists only the last ENTRIES_LIMIT of
    #: them and says so when there are more, so the list need not add up to the totals.
    operations: int = 0
    #: What the balance may pay now (X5): the base account's money, never more than the
    #: whole balance. Money on a membership's own account is that membership's; the invoice
    #: service pays from the base account and the booking's from the whole balance, so what
    #: both accept is the smaller of the two.
    spendable: int = 0

    @property
    def owed(self) -> int:
        """What the client owes (0 when the balance is not below zero)."""
        return max(-self.balance, 0)


@dataclass(frozen=True)
class Offer:
    """One row of "To pay": the payable, and how the client's balance may pay it."""

    payable: Payable
    #: Where «Pay from the balance» leads: the cabinet's confirmation page, or the payable's
    #: own page when its terms come first; "" when the balance does not cover it in full.
    balance_url: str = ""
    #: Whose balance, when it is another family member's (a parent's card, the child's
    #: invoice): the page names them. "" for the card's own client.
    balance_owner: str = ""
    #: That client's balance (None: not offered).
    balance: Balance | None = None


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
    offers: list[Offer] = field(default_factory=list)
    #: Where to call to cancel or move an upcoming visit: (branch, phone), one per phone,
    #: in the order of the visits (a visit booked by phone has no cancel or move page of
    #: its own; a prepaid one's move page has its own rules).
    change_phones: list[tuple[str, str]] = field(default_factory=list)

    @property
    def all_receipts(self) -> list[SalesReceipt | ReceiptLink]:
        """Sales receipts and fiscal receipt links in one list, newest first (the client
        reads one list by date, not two lists each in its own order)."""
        both: list[SalesReceipt | ReceiptLink] = [*self.receipts, *self.fiscal]
        return sorted(both, key=lambda item: item.created_at, reverse=True)


_SIGNED = Case(
    When(kind=Entry.Kind.DEBIT, then=F("amount")), default=-F("amount"), output_field=IntegerField()
)


def balances_of(organization: Organization, client_ids: Sequence[int]) -> dict[int, Balance]:
    """Each client's balance: what was paid and what was charged (active entries), how many
    entries that is, and what the balance may pay now (`Balance.spendable`). One grouped
    query for any number of clients (the card's own, the owners of its payables' balances);
    a client without entries has a zero balance."""
    result = {client_id: Balance(paid=0, charged=0, balance=0) for client_id in client_ids}
    rows = (
        Entry.objects.for_org(organization)
        .filter(client_id__in=list(result), status=Entry.Status.ACTIVE)
        .values("client_id")
        .annotate(
            paid=Sum("amount", filter=Q(kind=Entry.Kind.DEBIT), default=0),
            charged=Sum("amount", filter=Q(kind=Entry.Kind.CREDIT), default=0),
            operations=Count("id"),
            base=Sum(_SIGNED, filter=Q(account__kind=Account.Kind.BASE), default=0),
        )
        .order_by()
    )
    for row in rows:
        paid, charged = int(row["paid"]), int(row["charged"])
        result[row["client_id"]] = Balance(
            paid=paid,
            charged=charged,
            balance=paid - charged,
            operations=int(row["operations"]),
            spendable=max(min(int(row["base"]), paid - charged), 0),
        )
    return result


def payable_offers(
    payables: list[Payable],
    balances: dict[int, Balance],
    *,
    card: Client,
    family: Sequence[Client],
    token: str,
) -> list[Offer]:
    """The card's payables, each with «Pay from the balance» where its owner's balance
    covers the whole amount. `balances` holds only the balances the link may see (its
    family's), so another client's balance is never offered nor named. No query."""
    names = {member.pk: member.name for member in family}
    offers = []
    for payable in payables:
        owner = payable.balance_client_id
        balance = balances.get(owner) if owner is not None else None
        if owner is None or balance is None or not 0 < payable.amount <= balance.spendable:
            offers.append(Offer(payable=payable))
            continue
        url = payable.pay_url
        if not payable.terms_first:
            url = reverse(
                "cabinet:pay_from_balance",
                kwargs={"token": token, "key": payable.key, "ref": payable.ref},
            )
            if card.pk != family[0].pk:
                url += f"?card={card.pk}"
        offers.append(
            Offer(
                payable=payable,
                balance_url=url,
                balance_owner=names.get(owner, "") if owner != card.pk else "",
                balance=balance,
            )
        )
    return offers


def cabinet_card(
    client: Client,
    *,
    family: Sequence[Client] = (),
    token: str = "",
    now: datetime | None = None,
    all_entries: bool = False,
) -> CabinetCard:
    """One client's cabinet, in a fixed number of queries (see the module's docstring).
    `family` (the link's clients, its own first) and `token` (the link) let the page offer
    paying from a family member's balance; without them only the card's own balance is read
    and nothing is offered."""
    organization = client.organization
    family = family or [client]
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
        .order_by("-created_at", "-id")[: ENTRIES_ALL_LIMIT if all_entries else ENTRIES_LIMIT]
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
    # The card's balance and its payables' owners' (in the family only), in one query.
    seen = {member.pk for member in family}
    owners = {p.balance_client_id for p in payables if p.balance_client_id in seen}
    balances = balances_of(organization, [client.pk, *sorted(owners - {client.pk})])
    phones: dict[str, str] = {}
    for attendance in upcoming:
        phone = attendance.visit.branch.phone or organization.phone
        if phone:
            phones.setdefault(phone, attendance.visit.branch.name)
    links, moves = visit_links(upcoming)
    for attendance in upcoming:
        attendance.cancel_url = links.get(attendance.visit_id)  # type: ignore[attr-defined]
        attendance.move_url = moves.get(attendance.visit_id)  # type: ignore[attr-defined]
    return CabinetCard(
        client=client,
        balance=balances[client.pk],
        entries=entries,
        upcoming=upcoming,
        past=past,
        memberships=memberships,
        payables=payables,
        receipts=receipts,
        fiscal=receipt_links_for(organization, client.pk, limit=RECEIPTS_LIMIT),
        today=today,
        change_phones=[(name, phone) for phone, name in phones.items()],
        offers=payable_offers(payables, balances, card=client, family=family, token=token)
        if token
        else [Offer(payable=payable) for payable in payables],
    )


#: Debits whose purpose says nothing beside "You paid" (the receipt's line says what for).
_PLAIN_PAYMENTS = frozenset({Entry.Purpose.PAYMENT, Entry.Purpose.OTHER, Entry.Purpose.CORRECTION})


def entry_words(entry: Entry, *, stored_language: str) -> str:
    """What follows "You paid" / "Taken from the balance" / "Returned to you" on an entry's
    row: the receipt line it paid or sold when there is one (`paid_for` / `sold_as`,
    annotated), else the entry's own `what_for`. A plain payment says what it paid when the
    system wrote that (a checkout's «Манікюр, 3 грудня о 17:30», a stored text: a comment
    staff typed stays internal), else where the money went: "to the balance" (a bare «Ви
    сплатили +700,00 грн» said nothing; "You paid · Payment" said it twice). No query."""
    if entry.kind == Entry.Kind.DEBIT:
        paid_for = getattr(entry, "paid_for", None)
        if paid_for:
            return line_name(paid_for, stored_language=stored_language)
        if entry.purpose not in _PLAIN_PAYMENTS:
            return entry.what_for
        if entry.purpose == Entry.Purpose.CORRECTION:
            return str(entry.get_purpose_display())
        if entry.comment_text:
            return entry.comment_shown
        return gettext("to the balance")
    sold_as = getattr(entry, "sold_as", None)
    named = entry.what_for
    if sold_as and named == str(entry.get_purpose_display()):
        return line_name(sold_as, stored_language=stored_language)
    return named


def client_cancel_offered() -> bool:
    """Whether the cancellation policy's client page is installed (no query)."""
    return _url_installed(CLIENT_CANCEL_URL)


def _url_installed(name: str) -> bool:
    try:
        reverse(name, kwargs={"token": "x"})
    except NoReverseMatch:
        return False
    return True


def cancel_links(upcoming: list[Attendance]) -> dict[int, str]:
    """Upcoming visits with a live booking (awaiting or paid) link to the booking's cancel
    page, where the policy says what cancelling costs."""
    return visit_links(upcoming)[0]


def visit_links(upcoming: list[Attendance]) -> tuple[dict[int, str], dict[int, str]]:
    """The cancel links (`cancel_links`) and the move links: a visit whose prepayment is
    paid may be moved from the booking's move page, which says when the policy no longer
    allows it (an unpaid one is moved by a call: its deadline follows the start). The
    bookings come through `schedule.hooks.bookings_for` (one query for the list); the
    page's token is read from the booking's own page address by the URL resolver."""
    if not upcoming or not client_cancel_offered():
        return {}, {}
    move_offered = _url_installed(CLIENT_MOVE_URL)
    links: dict[int, str] = {}
    moves: dict[int, str] = {}
    for visit_id, booking in schedule_hooks.bookings_for([a.visit for a in upcoming]).items():
        if booking.get("status") not in ("pending", "paid") or not booking.get("payment_url"):
            continue
        try:
            token = resolve(urlsplit(str(booking["payment_url"])).path).kwargs.get("token")
        except Resolver404:
            continue
        if token:
            links[visit_id] = reverse(CLIENT_CANCEL_URL, kwargs={"token": token})
            if move_offered and booking.get("status") == "paid":
                moves[visit_id] = reverse(CLIENT_MOVE_URL, kwargs={"token": token})
    return links, moves


def balance_offer(
    card: Client, *, family: Sequence[Client], token: str, key: str, ref: str
) -> Offer | None:
    """The card's payable `key`/`ref` with its balance offer, for the confirmation page;
    None when the card lists no such payable (paid meanwhile, another family's, forged).
    Two queries and the payable's provider's."""
    payables = [
        payable
        for payable in payables_for_clients(card.organization, [card.pk])[card.pk]
        if payable.key == key and payable.ref == ref
    ]
    if not payables:
        return None
    owner = payables[0].balance_client_id
    seen = {member.pk for member in family}
    balances = balances_of(card.organization, [owner]) if owner in seen and owner else {}
    return payable_offers(payables, balances, card=card, family=family, token=token)[0]
