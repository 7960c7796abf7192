"""Writes of the waiting list (X2, X7).

- `entry_create` / `entry_remove`: staff (the list, the client card, the API) and the public
  "notify me" put a client on the list or take them off.
- `slots_offer`: freed slots become timed offers to the first eligible entries, set-based
  (one batch of slots costs the same number of queries whatever its size). It runs from
  the schedule's "time freed" hook (`schedule_hooks.py`) and from the sweep (`sweeps.py`),
  which passes lapsed offers on to the next entry.
- `offer_payment`: the client opens the offer and pays; the `waitlist` purpose's
  transitions (`offer_paid`, ...) record the money on the balance through `ledger.money` and
  book the slot for the client through the schedule's services, which check the time again
  under the specialist's (or the lesson's) row lock: of two clients paying for one slot at
  once exactly one gets it, the other's money stays on their balance and they are told.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone
from zapys.clients.services import client_find_or_create
from zapys.core.audit import Actor, audit_record, audit_record_many
from zapys.core.dates import quiet_until
from zapys.core.exceptions import Conflict, DomainError, NotFound
from zapys.core.money import Money, format_money
from zapys.core.stored_text import Moment, StoredText
from zapys.core.tenancy import org_scope, organization_zone, unscoped
from zapys.core.text import clean_line
from zapys.ledger.models import Entry as LedgerEntry
from zapys.ledger.money import money_received_record, money_refunded_record
from zapys.messaging.services import Outgoing, message_send, message_send_many, staff_notify
from zapys.payments.models import Payment
from zapys.payments.services import payment_create
from zapys.schedule import hooks
from zapys.schedule import selectors as schedule_selectors
from zapys.schedule import services as schedule
from zapys.schedule.models import Attendance, Visit
from zapys.waitlist import events
from zapys.waitlist.ledger_hooks import WAITLIST_ARTICLE
from zapys.waitlist.models import (
    QUIET_FROM_DEFAULT,
    QUIET_TO_DEFAULT,
    DeferredSlot,
    Entry,
    Offer,
    WaitlistSettings,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

#: The purpose's key, stored on every waiting-list payment (`Payment.purpose`).
PURPOSE = "waitlist"
#: How long an offer waits for its payment unless the organization's settings say otherwise.
OFFER_MINUTES_DEFAULT = 15
#: The bounds of that setting (the form's and the table's check).
OFFER_MINUTES_MIN, OFFER_MINUTES_MAX = 5, 1440
#: A slot starting sooner than this is not offered (nobody could come).
MIN_LEAD = timedelta(minutes=5)
#: The quiet hours of an organization without its settings row (the tests of other things
#: switch them off, so that they pass at any hour: `waitlist/tests/conftest.py`).
QUIET_DEFAULT = (QUIET_FROM_DEFAULT, QUIET_TO_DEFAULT)

ES = Entry.Status
OS = Offer.Status
LIVE = (ES.WAITING, ES.OFFERED)


def waitlist_settings_get(organization: Organization) -> WaitlistSettings:
    """The organization's settings row (made with the defaults on first use)."""
    found = WaitlistSettings.objects.for_org(organization).first()
    if found is not None:
        return found
    obj, _created = WaitlistSettings.objects.for_org(organization).get_or_create(
        organization=organization
    )
    return obj


@transaction.atomic
def waitlist_settings_update(
    *,
    organization: Organization,
    offer_minutes: int,
    actor: Actor,
    quiet_from: time | None = None,
    quiet_to: time | None = None,
) -> WaitlistSettings:
    """Staff change how long an offer waits for its payment and the quiet hours (audited;
    a quiet hour not given stays as it is). Offers already sent keep the deadline their
    message named; times already waiting for the morning are offered when the new quiet
    hours end (the job checks again)."""
    if isinstance(offer_minutes, bool) or not isinstance(offer_minutes, int):
        raise DomainError(_("Enter a whole number of minutes."), field="offer_minutes")
    if not OFFER_MINUTES_MIN <= offer_minutes <= OFFER_MINUTES_MAX:
        raise DomainError(
            _("Between %(low)s and %(high)s minutes.")
            % {"low": OFFER_MINUTES_MIN, "high": OFFER_MINUTES_MAX},
            field="offer_minutes",
        )
    row = waitlist_settings_get(organization)
    row = WaitlistSettings.objects.for_org(organization).select_for_update().get(pk=row.pk)
    wanted: dict[str, Any] = {"offer_minutes": offer_minutes}
    if quiet_from is not None:
        wanted["quiet_from"] = quiet_from.replace(second=0, microsecond=0)
    if quiet_to is not None:
        wanted["quiet_to"] = quiet_to.replace(second=0, microsecond=0)
    changes: dict[str, list[Any]] = {}
    for name, value in wanted.items():
        before = getattr(row, name)
        if before != value:
            changes[name] = [_audit_value(before), _audit_value(value)]
            setattr(row, name, value)
    if changes:
        row.save(update_fields=[*changes, "updated_at"])
        audit_record(
            organization=organization,
            actor=actor,
            action="waitlist.settings",
            obj=row,
            changes=changes,
        )
    return row


def _audit_value(value: Any) -> Any:
    # a time of day as people write it ("21:00"), not "21:00:00"
    return value.strftime("%H:%M") if isinstance(value, time) else value


def offer_minutes_of(organization: Organization) -> int:
    """The organization's offer length, read without making its settings row."""
    return offer_minutes_for([organization.pk])[organization.pk]


def offer_minutes_for(org_ids: Iterable[int]) -> dict[int, int]:
    """Each organization's offer length (one query for a batch spanning organizations;
    an organization without a settings row has the default)."""
    return {pk: rules.minutes for pk, rules in offer_rules_for(org_ids).items()}


class OfferRules(NamedTuple):
    """What an organization's settings say about sending an offer."""

    minutes: int
    quiet_from: time
    quiet_to: time


def offer_rules_for(org_ids: Iterable[int]) -> dict[int, OfferRules]:
    """Each organization's offer length and quiet hours: one query for a batch spanning
    organizations (one without a settings row has the defaults)."""
    found = {
        row[0]: OfferRules(*row[1:])
        for row in WaitlistSettings.objects.filter(organization_id__in=set(org_ids)).values_list(
            "organization_id", "offer_minutes", "quiet_from", "quiet_to"
        )
    }
    default = OfferRules(OFFER_MINUTES_DEFAULT, *QUIET_DEFAULT)
    return {pk: found.get(pk, default) for pk in set(org_ids)}


# --- entries ---------------------------------------------------------------------------


@transaction.atomic
def entry_create(
    *,
    organization: Organization,
    client: Client,
    actor: Actor,
    service: Service | None = None,
    staff: User | None = None,
    lesson: Visit | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Entry:
    """Put `client` on the list for a service and/or a specialist between two dates, or for
    a seat of a (full) group lesson. Refuses (nothing written) another organization's
    objects, a deleted client, an entry that names nothing, a range in the wrong order or in
    the past, a lesson that is not a live future lesson and a second live entry of the same
    client for the same thing."""
    now = now or timezone.now()
    for field, obj in (
        ("client_id", client),
        ("service_id", service),
        ("staff_id", staff),
        ("lesson_id", lesson),
    ):
        if obj is not None and obj.organization_id != organization.pk:
            raise NotFound(_("Unknown object."), field=field)
    if client.deleted_at is not None:
        raise DomainError(_("This client is deleted."), field="client_id")
    tz = organization_zone(organization)
    today = now.astimezone(tz).date()
    if lesson is not None:
        if lesson.kind != Visit.Kind.LESSON:
            raise DomainError(_("Choose a group class."), field="lesson_id")
        if not lesson.blocks_time or lesson.starts_at <= now:
            raise DomainError(_("This lesson is cancelled or over."), field="lesson_id")
        lesson_day = lesson.starts_at.astimezone(tz).date()
        date_from, date_to, service = lesson_day, lesson_day, None
        staff = None
    elif service is None and staff is None:
        raise DomainError(_("Choose a service, a specialist or a group class."), field="service_id")
    if service is not None and not service.is_active:
        raise DomainError(_("This service is not available."), field="service_id")
    if staff is not None and not staff.is_active:
        raise DomainError(_("This specialist is not active."), field="staff_id")
    if date_from is None:
        date_from = today
    if date_to is None:
        date_to = date_from
    if date_to < date_from:
        raise DomainError(_("The end of the range must not be before its start."), field="date_to")
    if date_to < today:
        raise DomainError(_("This range is already over."), field="date_to")
    if date_to - date_from > timedelta(days=366):
        raise DomainError(_("A range can be at most a year long."), field="date_to")
    duplicate = Entry.objects.for_org(organization).filter(
        client=client, service=service, staff=staff, lesson=lesson, status__in=LIVE
    )
    if duplicate.exists():
        raise Conflict(_("The client is already waiting for this."), field="client_id")
    entry = Entry.objects.for_org(organization).create(
        organization=organization,
        client=client,
        service=service,
        staff=staff,
        lesson=lesson,
        date_from=date_from,
        date_to=date_to,
        comment=clean_line(comment)[:300],
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="waitlist.add",
        obj=entry,
        changes={
            "client_id": client.pk,
            "service_id": service.pk if service else None,
            "staff_id": staff.pk if staff else None,
            "lesson_id": lesson.pk if lesson else None,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
        },
    )
    return entry


def entry_remove(*, entry: Entry, actor: Actor, now: datetime | None = None) -> Entry:
    """Take a waiting or offered client off the list. An open offer of theirs is withdrawn
    and its slot goes to the next client (after commit, like a freed slot)."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = Entry.objects.for_org(entry.organization).select_for_update().get(pk=entry.pk)
        if entry.status not in LIVE:
            raise Conflict(
                _("This entry is already closed (%(status)s).")
                % {"status": entry.get_status_display()},
                field="status",
            )
        before = entry.status
        entry.status, entry.closed_at = ES.REMOVED, now
        entry.save(update_fields=["status", "closed_at"])
        open_offers = list(
            Offer.objects.for_org(entry.organization).filter(entry=entry, status=OS.OPEN)
        )
        Offer.objects.for_org(entry.organization).filter(pk__in=[o.pk for o in open_offers]).update(
            status=OS.WITHDRAWN, closed_at=now
        )
        audit_record(
            organization=entry.organization,
            actor=actor,
            action="waitlist.remove",
            obj=entry,
            changes={"status": [before, ES.REMOVED]},
        )
        slots = [_slot_of_offer(o) for o in open_offers]
        if slots:
            transaction.on_commit(lambda: slots_offer_now(slots))
    return entry


# --- slots and offers ------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A freed time (an appointment's, or one seat of a lesson), as an offer carries it."""

    organization_id: int
    source_id: int
    is_seat: bool
    staff_id: int
    service_id: int | None
    branch_id: int
    starts_at: datetime
    ends_at: datetime
    amount: int


#: A slot's fields, each a column of the same name (attname) on `Offer` and `DeferredSlot`:
#: every copy between them goes through this list, so a field added to `Slot` cannot be
#: forgotten on the way (waitlist/tests/test_slot_round_trip.py).
SLOT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Slot))


def slot_of_row(row: dict[str, Any]) -> Slot:
    """The slot an `Offer` or `DeferredSlot` row holds, read as `values(*SLOT_FIELDS, …)`."""
    return Slot(**{name: row[name] for name in SLOT_FIELDS})


def _slot_of_offer(offer: Offer) -> Slot:
    return Slot(**{name: getattr(offer, name) for name in SLOT_FIELDS})


def slots_of_visits(visit_ids: Iterable[int], now: datetime) -> list[Slot]:
    """The slots freed visits leave (one query, any organizations): a cancelled appointment
    with a service, or a live lesson (a seat was freed). Past ones are none."""
    rows = Visit.objects.filter(pk__in=list(visit_ids), starts_at__gt=now + MIN_LEAD).values(
        "pk",
        "organization_id",
        "kind",
        "blocks_time",
        "staff_id",
        "service_id",
        "branch_id",
        "starts_at",
        "ends_at",
        "price",
    )
    slots = []
    for row in rows:
        is_seat = row["kind"] == Visit.Kind.LESSON
        if is_seat != row["blocks_time"]:  # a cancelled lesson, or an appointment still on
            continue
        if not is_seat and row["service_id"] is None:
            continue
        slots.append(
            Slot(
                organization_id=row["organization_id"],
                source_id=row["pk"],
                is_seat=is_seat,
                staff_id=row["staff_id"],
                service_id=None if is_seat else row["service_id"],
                branch_id=row["branch_id"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                amount=row["price"],
            )
        )
    return slots


def _still_free(slots: list[Slot]) -> list[Slot]:
    """The slots nobody took meanwhile (a constant number of queries for any batch): an
    appointment's time with no visit blocking the specialist and no open offer; a lesson
    with fewer participants and open offers than places (one slot per free place)."""
    times = [s for s in slots if not s.is_seat]
    seats = [s for s in slots if s.is_seat]
    free: list[Slot] = []
    if times:
        busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for row in Visit.objects.filter(
            blocks_time=True,
            staff_id__in={s.staff_id for s in times},
            starts_at__lt=max(s.ends_at for s in times),
            ends_at__gt=min(s.starts_at for s in times),
        ).values_list("staff_id", "starts_at", "ends_at"):
            busy[row[0]].append((row[1], row[2]))
        # An open offer holds its specialist's time whichever freed visit it came from: a
        # time booked over a cancelled one and cancelled again must not be offered to a
        # second client while the first still holds it.
        for row in Offer.objects.filter(
            status=OS.OPEN,
            is_seat=False,
            staff_id__in={s.staff_id for s in times},
            starts_at__lt=max(s.ends_at for s in times),
            ends_at__gt=min(s.starts_at for s in times),
        ).values_list("staff_id", "starts_at", "ends_at"):
            busy[row[0]].append((row[1], row[2]))
        for slot in times:
            clash = any(
                start < slot.ends_at and end > slot.starts_at for start, end in busy[slot.staff_id]
            )
            if not clash:
                free.append(slot)
                # and two overlapping slots of one batch are not both offered
                busy[slot.staff_id].append((slot.starts_at, slot.ends_at))
    if seats:
        lesson_ids = {s.source_id for s in seats}
        lessons = {
            row["pk"]: row
            for row in Visit.objects.filter(pk__in=lesson_ids, blocks_time=True)
            .annotate(
                taken=Count("attendances", filter=~Q(attendances__state=Attendance.State.CANCELLED))
            )
            .values("pk", "capacity", "taken")
        }
        open_offers = dict(
            Offer.objects.filter(source_id__in=lesson_ids, status=OS.OPEN, is_seat=True)
            .values("source_id")
            .annotate(n=Count("id"))
            .values_list("source_id", "n")
        )
        for lesson_id in sorted(lesson_ids):
            row = lessons.get(lesson_id)
            if row is None:
                continue
            places = row["capacity"] - row["taken"] - open_offers.get(lesson_id, 0)
            template = next(s for s in seats if s.source_id == lesson_id)
            free.extend([template] * max(places, 0))
    return free


#: Entries read per chunk beyond one per unfilled slot (one spare read per slot is cheaper
#: than another round trip when a few read entries fit no slot left).
CHUNK_SLACK = 1


def _match(slots: list[Slot], tzs: dict[int, Any]) -> Q:
    """What a waiting entry must match to fit at least one of the slots: the lessons' ids,
    and per organization, service and day the specialists free that day (an entry for no
    specialist or for one of them; for no service or for this one; its days covering the
    day). A handful of OR terms per batch, not one per slot."""
    lesson_ids = {s.source_id for s in slots if s.is_seat}
    match = Q(lesson_id__in=lesson_ids) if lesson_ids else Q(pk__in=[])
    groups: dict[tuple[int, int | None, date], set[int]] = defaultdict(set)
    for s in slots:
        if not s.is_seat:
            day = s.starts_at.astimezone(tzs[s.organization_id]).date()
            groups[(s.organization_id, s.service_id, day)].add(s.staff_id)
    for (org_id, service_id, day), staff_ids in groups.items():
        match |= (
            Q(organization_id=org_id, lesson__isnull=True, date_from__lte=day, date_to__gte=day)
            & (Q(service__isnull=True) | Q(service_id=service_id))
            & (Q(staff__isnull=True) | Q(staff_id__in=staff_ids))
        )
    return match


def _next_entries(
    slots: list[Slot], tzs: dict[int, Any], limit: int, after: tuple[datetime, int] | None
) -> list[Entry]:
    """The next `limit` waiting entries (oldest first, after `after`) that fit at least one
    of the slots: one query, locked (skipping rows another sweep holds) on PostgreSQL."""
    qs = Entry.objects.filter(
        _match(slots, tzs),
        status=ES.WAITING,
        organization_id__in={s.organization_id for s in slots},
        client__deleted_at__isnull=True,
    )
    if after is not None:
        qs = qs.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
    qs = qs.only(
        "pk",
        "organization_id",
        "client_id",
        "service_id",
        "staff_id",
        "lesson_id",
        "date_from",
        "date_to",
        "created_at",
    ).order_by("created_at", "id")
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:limit])


def _offered_before(slots: list[Slot]) -> set[tuple[int, int, int, datetime]]:
    """(entry, freed visit, specialist, start) already offered: a client who let an offer
    lapse, or lost it to a rival, keeps their place on the list but is not offered that same
    time again (a visit moved twice is the source of two times: each is a time of its own)."""
    return set(
        Offer.objects.filter(source_id__in={s.source_id for s in slots}).values_list(
            "entry_id", "source_id", "staff_id", "starts_at"
        )
    )


def _fits(entry: Entry, slot: Slot, day: date) -> bool:
    if entry.organization_id != slot.organization_id:
        return False
    if slot.is_seat:
        return entry.lesson_id == slot.source_id
    return (
        entry.lesson_id is None
        and entry.service_id in (None, slot.service_id)
        and entry.staff_id in (None, slot.staff_id)
        and entry.date_from <= day <= entry.date_to
    )


def _pair(slots: list[Slot], tzs: dict[int, Any]) -> list[tuple[Slot, Entry]]:
    """Each slot (in time order) to the oldest waiting entry that fits it and is not yet
    paired, reading entries in chunks of one per slot still unpaired, oldest first.

    Every entry read fits some slot (`_match`), so when everyone waiting fits, one chunk
    pairs the whole batch: the sweep reads the next entry per freed slot, not every entry
    that might fit. A chunk only ever adds entries younger than all before it, so a slot
    left unpaired by one chunk loses nothing by taking from the next (the result is the
    same as reading the whole list). Another chunk is read only while slots are unpaired
    and the last one was full."""
    days = [s.starts_at.astimezone(tzs[s.organization_id]).date() for s in slots]
    seen = _offered_before(slots)
    paired: dict[int, Entry] = {}
    used: set[int] = set()
    after: tuple[datetime, int] | None = None
    while len(paired) < len(slots):
        left = [i for i in range(len(slots)) if i not in paired]
        limit = len(left) + CHUNK_SLACK
        chunk = _next_entries([slots[i] for i in left], tzs, limit, after)
        first = 0  # the oldest entry of the chunk not yet paired: the scan starts there
        for i in left:
            slot = slots[i]
            while first < len(chunk) and chunk[first].pk in used:
                first += 1
            for j in range(first, len(chunk)):
                entry = chunk[j]
                if (
                    entry.pk not in used
                    and (entry.pk, slot.source_id, slot.staff_id, slot.starts_at) not in seen
                    and _fits(entry, slot, days[i])
                ):
                    used.add(entry.pk)
                    paired[i] = entry
                    break
        if len(chunk) < limit:
            break
        after = (chunk[-1].created_at, chunk[-1].pk)
    return [(slots[i], paired[i]) for i in sorted(paired)]


def _defer_quiet(
    slots: list[Slot], rules: dict[int, OfferRules], tzs: dict[int, Any], now: datetime
) -> list[Slot]:
    """The slots that may be offered now; those of an organization in its quiet hours wait
    for their end (`DeferredSlot`, one INSERT for the batch; a time already waiting is not
    stored twice), those starting too soon after that are dropped: nobody is woken up with
    minutes to pay, and the morning's message gets the whole pay window."""
    now_ok: list[Slot] = []
    later: list[DeferredSlot] = []
    for slot in slots:
        org_rules = rules[slot.organization_id]
        until = quiet_until(
            now, tzs[slot.organization_id], org_rules.quiet_from, org_rules.quiet_to
        )
        if until is None:
            now_ok.append(slot)
        elif slot.starts_at > until + MIN_LEAD:
            later.append(DeferredSlot(**asdict(slot), offer_at=until))
    if later:
        DeferredSlot.objects.bulk_create(later, ignore_conflicts=True)
    return now_ok


def slot_of_deferred(row: dict[str, Any]) -> Slot:
    """The slot a `DeferredSlot` row (as `values()`) holds."""
    return slot_of_row(row)


def slots_offer(slots: list[Slot], now: datetime, *, quiet: bool = True) -> list[Offer]:
    """Offer each free slot to the first eligible waiting entry (oldest first; an entry gets
    one offer at a time). Set-based: a constant number of queries per call plus one outbox
    write per organization, whatever the number of slots (see `_pair`). Runs in the
    caller's transaction, outside any organization scope (a batch spans organizations).

    In an organization's quiet hours nothing is offered: its slots wait for the morning
    (`_defer_quiet`) and the job offers them then (`sweeps.offer_deferred`). `quiet=False`
    only for the demo, which shows an offer whatever hour it is built at."""
    slots = [s for s in slots if s.starts_at > now + MIN_LEAD]
    if not slots:
        return []
    orgs = Organization.objects.in_bulk({s.organization_id for s in slots})
    tzs = {pk: organization_zone(org) for pk, org in orgs.items()}
    rules = offer_rules_for(orgs)
    if quiet:
        slots = _defer_quiet(slots, rules, tzs, now)
    if not slots:
        return []
    slots = _still_free(sorted(slots, key=lambda s: (s.starts_at, s.source_id)))
    if not slots:
        return []
    pairs = _pair(slots, tzs)
    if not pairs:
        return []
    offers = Offer.objects.bulk_create(
        [
            Offer(
                organization_id=slot.organization_id,
                entry_id=entry.pk,
                client_id=entry.client_id,
                source_id=slot.source_id,
                is_seat=slot.is_seat,
                staff_id=slot.staff_id,
                service_id=slot.service_id,
                branch_id=slot.branch_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                amount=slot.amount,
                expires_at=min(
                    now + timedelta(minutes=rules[slot.organization_id].minutes), slot.starts_at
                ),
            )
            for slot, entry in pairs
        ]
    )
    Entry.objects.filter(pk__in=[e.pk for _s, e in pairs], status=ES.WAITING).update(
        status=ES.OFFERED
    )
    ids = [o.pk for o in offers]
    audit_record_many(
        model=Offer, ids=ids, actor=Actor.scheduler("waitlist"), action="waitlist.offer"
    )
    _queue(events.OFFER, "offer", _load(ids), now)
    return offers


def slots_offer_now(slots: list[Slot]) -> None:
    """`slots_offer` in a transaction of its own, now (after a commit: the hook, a removal)."""
    now = timezone.now()
    with unscoped(), transaction.atomic():
        slots_offer(slots, now)


def offers_for_freed_visits(visit_ids: list[int]) -> None:
    """The schedule's "time freed" hook: the slots the visits left go to the waiting list."""
    now = timezone.now()
    with unscoped(), transaction.atomic():
        slots_offer(slots_of_visits(visit_ids, now), now)


def slots_of_vacated(times: list[hooks.VacatedTime], now: datetime) -> list[Slot]:
    """The old times of moved appointments (one query, any organizations), as a cancelled
    visit's: its service, branch and price at the time it left. A lesson moved frees no
    seat (its participants move with it); a visit cancelled meanwhile frees its time
    through the cancellation."""
    visits = {
        row["pk"]: row
        for row in Visit.objects.filter(
            pk__in={t.visit_id for t in times},
            kind=Visit.Kind.INDIVIDUAL,
            blocks_time=True,
            service__isnull=False,
        ).values("pk", "organization_id", "service_id", "branch_id", "price")
    }
    return [
        Slot(
            organization_id=row["organization_id"],
            source_id=t.visit_id,
            is_seat=False,
            staff_id=t.staff_id,
            service_id=row["service_id"],
            branch_id=row["branch_id"],
            starts_at=t.starts_at,
            ends_at=t.ends_at,
            amount=row["price"],
        )
        for t in times
        if (row := visits.get(t.visit_id)) is not None and t.starts_at > now + MIN_LEAD
    ]


def offers_for_vacated_times(times: list[hooks.VacatedTime]) -> None:
    """The schedule's "a visit moved away from its time" hook: the old time goes to the
    waiting list the way a cancelled visit's does (`slots_offer` checks it is free)."""
    now = timezone.now()
    with unscoped(), transaction.atomic():
        slots_offer(slots_of_vacated(times, now), now)


# --- what the messages say ---------------------------------------------------------------


def _load(ids: list[int]) -> list[Offer]:
    """The offers with what their messages read: clients joined, the specialists, services,
    branches, lessons and organizations once per batch (not per offer)."""
    rows = list(Offer.objects.filter(pk__in=ids).select_related("client").order_by("id"))
    staff = User._base_manager.only("first_name", "last_name", "username").in_bulk(
        {o.staff_id for o in rows}
    )
    services = Service._base_manager.only("name").in_bulk({o.service_id for o in rows} - {None})
    branches = Branch._base_manager.only("name").in_bulk({o.branch_id for o in rows})
    lessons = {
        v.pk: v
        for v in Visit._base_manager.filter(
            pk__in={o.source_id for o in rows if o.service_id is None}
        ).select_related("group", "subject", "lesson_type")
    }
    orgs = Organization.objects.in_bulk({o.organization_id for o in rows})
    for offer in rows:
        offer.organization = orgs[offer.organization_id]
        offer.staff = staff[offer.staff_id]
        offer.branch = branches[offer.branch_id]
        if offer.service_id is not None:
            offer.service = services[offer.service_id]
        offer._what = (  # type: ignore[attr-defined]
            offer.service.name if offer.service_id else lessons[offer.source_id].title
        )
    return rows


def offer_payment_text(offer: Offer) -> str:
    """What the offer's payment is for, in the active language: the provider's description
    when it is made, the payment page's line when it is shown (`purposes.offer_describe`)."""
    return _("Prepayment: %(what)s") % {"what": offer_title(offer)}


def offer_title(offer: Offer) -> str:
    """What is offered: the service, or the lesson's name."""
    what = getattr(offer, "_what", None)
    if what is not None:
        return str(what)
    if offer.service is not None:
        return offer.service.name
    if "source" in offer._state.fields_cache:  # read with `OFFER_NAMED_BY`
        return offer.source.title
    return Visit._base_manager.get(pk=offer.source_id).title


#: What `offer_named` reads, for one joined read of the offer: a seat offer (no service) is
#: named by its lesson, whose title reads the group, the subject or the lesson type.
OFFER_NAMED_BY = (
    "service",
    "organization",
    "source__group",
    "source__subject",
    "source__lesson_type",
)


def offer_named(offer: Offer) -> StoredText:
    """«Стрижка жіноча, 7 грудня о 15:00»: what a ledger comment calls the offered time, as a
    visit is named (`schedule.texts.visit_named`) — staff know no offer or payment numbers."""
    return StoredText(
        gettext_noop("%(what)s, %(when)s"),
        what=offer_title(offer),
        when=Moment(offer.starts_at, str(organization_zone(offer.organization))),
    )


#: What the comments said before they named the offered time: rows stored then keep these
#: msgids and their numbers, so the catalogue keeps them and old rows still read.
FORMER_TEXTS = (
    gettext_noop("Waiting list prepayment, payment #%(id)s"),
    gettext_noop("Refund of online payment #%(id)s"),
)


def message_variables(offer: Offer) -> dict[str, Any]:
    tz = organization_zone(offer.organization)
    start = offer.starts_at.astimezone(tz)
    deadline = offer.expires_at.astimezone(tz)
    return {
        "client": offer.client,
        "service": offer_title(offer),
        "specialist": offer.staff.get_full_name() or offer.staff.username,
        "date": start.date(),  # words in the message's language (messaging.rendering)
        "time": start.strftime("%H:%M"),
        "amount": format_money(offer.amount, offer.organization.currency),
        "link": offer.offer_url,
        # the day too (words in the message's language): an offer made late in the evening
        # runs past midnight, where "by 00:05" read as tonight
        "deadline": deadline,
        "branch": offer.branch.name,
    }


def _queue(event: str, suffix: str, offers: list[Offer], now: datetime) -> int:
    by_org: dict[int, list[Offer]] = defaultdict(list)
    for offer in offers:
        by_org[offer.organization_id].append(offer)
    sent = 0
    for group in by_org.values():
        org = group[0].organization
        with org_scope(org), override(org.language or "uk"):
            sent += message_send_many(
                organization=org,
                event=event,
                messages=[
                    Outgoing(
                        client=o.client,
                        variables=message_variables(o),
                        idempotency_key=f"waitlist-offer:{o.pk}:{suffix}",
                        related=o,
                    )
                    for o in group
                ],
                now=now,
            )
    return sent


# --- paying for an offer ---------------------------------------------------------------


def offer_is_open(offer: Offer, now: datetime | None = None) -> bool:
    return offer.status == OS.OPEN and offer.expires_at > (now or timezone.now())


@transaction.atomic
def offer_payment(*, offer: Offer, actor: Actor, now: datetime | None = None) -> Payment:
    """The payment for an open offer (made when the client first asks to pay; the same one
    while it awaits them). Refuses an offer past its deadline or closed."""
    now = now or timezone.now()
    offer = Offer.objects.for_org(offer.organization).select_for_update().get(pk=offer.pk)
    if not offer_is_open(offer, now):
        raise Conflict(_("This offer is no longer open."), field="status")
    if offer.amount <= 0:
        raise DomainError(_("Nothing to pay for this offer."), field="amount")
    if offer.payment_id is not None:
        current = Payment.objects.for_org(offer.organization).get(pk=offer.payment_id)
        if current.status in (Payment.Status.CREATED, Payment.Status.PENDING):
            return current
    organization = offer.organization
    payment = payment_create(
        organization=organization,
        account=None,
        purpose=PURPOSE,
        purpose_object=offer,
        client=offer.client,
        amount=offer.amount,
        currency=organization.currency,
        description=offer_payment_text(offer),
        actor=actor,
        expires_at=offer.expires_at,
        branch=offer.branch,
    )
    offer.payment = payment
    offer.save(update_fields=["payment"])
    return payment


def offer_of_payment(payment: Payment) -> Offer | None:
    """The payment's offer, locked together with every offer of the same time, in id order.

    Paying for an appointment's offer takes the time from its rivals (`offer_paid` updates
    their rows). Were only its own row locked first, two payments for one time would each
    hold their own offer and wait for the other's: a deadlock that PostgreSQL breaks by
    failing one payment. Locking the whole set in one fixed order makes the second payment
    wait at the start, then find the time taken."""
    if payment.purpose_type != "waitlist.offer" or not str(payment.purpose_id).isdigit():
        return None
    return _locked_with_its_time(payment.organization, int(payment.purpose_id))


def _locked_with_its_time(organization: Organization, offer_id: int) -> Offer | None:
    """The offer, locked together with every offer of its time (its freed visit's, and
    every other holding its specialist's hours), in id order: the one order all writers
    of offers take."""
    time = (
        Offer.objects.for_org(organization)
        .filter(pk=offer_id)
        .values("source_id", "is_seat", "staff_id", "starts_at", "ends_at")
        .first()
    )
    if time is None:
        return None
    # a seat: the lesson's seat offers; an appointment's time: every offer holding any of
    # its hours (its own included; not the same visit's other times, were it moved)
    same_time = (
        Q(source_id=time["source_id"], is_seat=True)
        if time["is_seat"]
        else _overlapping(time["staff_id"], time["starts_at"], time["ends_at"])
    )
    locked = {
        offer.pk: offer
        for offer in Offer.objects.for_org(organization)
        .select_for_update(of=("self",))
        .select_related("client", "entry", "staff", "service", "branch", "organization")
        .filter(same_time)
        .order_by("pk")
    }
    return locked.get(offer_id)


def _overlapping(staff_id: int, starts_at: datetime, ends_at: datetime) -> Q:
    """Appointment offers holding any of this specialist's time between the two moments
    (from any freed visit: a time booked over a cancelled one and cancelled again is a
    second source of the same hours)."""
    return Q(is_seat=False, staff_id=staff_id, starts_at__lt=ends_at, ends_at__gt=starts_at)


def _offers_lost(offers: list[Offer], actor: Actor, now: datetime) -> None:
    """Close open offers whose time someone else has just booked (the caller holds their
    rows, locked in id order): each entry goes back to waiting, keeping its place, and the
    client is told the time was taken, since their link would only say so if opened."""
    if not offers:
        return
    ids = [o.pk for o in offers]
    Offer.objects.filter(pk__in=ids, status=OS.OPEN).update(status=OS.TAKEN, closed_at=now)
    Entry.objects.filter(pk__in=[o.entry_id for o in offers], status=ES.OFFERED).update(
        status=ES.WAITING
    )
    audit_record_many(
        model=Offer,
        ids=ids,
        actor=actor,
        action="waitlist.offer_lost",
        changes={"status": [OS.OPEN, OS.TAKEN]},
    )
    # "lost", not "taken": a payment of theirs still on its way may end in the paid
    # client's "taken" message, which must not be swallowed as a duplicate of this one.
    _queue(events.OFFER_LOST, "lost", _load(ids), now)


#: Set while the waiting list books an offer's own time (`_book`): the schedule's
#: time-taking hook then leaves the offers alone — the payment holds their locks already
#: and closes the rivals itself, after it knows whether the booking succeeded.
_BOOKING_AN_OFFER: ContextVar[bool] = ContextVar("waitlist_booking_an_offer", default=False)


def offers_close_for_taken_time(
    *,
    organization: Organization,
    staff_id: int,
    starts_at: datetime,
    ends_at: datetime,
    actor: Actor,
) -> Callable[[Visit], None] | None:
    """The schedule's "a visit takes a specialist's time" hook (staff in the calendar, the
    API, an online booking; created, moved, restored, a lesson), inside the visit's own
    transaction: a client must not be able to pay for hours someone has just booked.

    Runs before the schedule locks the specialist, and locks the open offers holding any of
    those hours in id order — the order a payment for one of them takes (offers, then the
    specialist), so the two cannot deadlock. Once the visit is saved (a refused booking
    raises and undoes this), each offer closes: another client's is lost and they are told
    (`waitlist.offer_lost`), back to waiting; the visit's own client's offer (they phoned
    the desk instead of paying) is booked by this visit, without a message."""
    if _BOOKING_AN_OFFER.get():
        return None
    held = list(
        Offer.objects.for_org(organization)
        .select_for_update()
        .filter(_overlapping(staff_id, starts_at, ends_at), status=OS.OPEN)
        .order_by("pk")
    )
    if not held:
        return None

    def close(visit: Visit) -> None:
        now = timezone.now()
        own = [o for o in held if visit.client_id is not None and o.client_id == visit.client_id]
        with org_scope(organization):
            _offers_lost([o for o in held if o not in own], actor, now)
            _offers_booked_by_staff(own, visit.pk, actor, now)

    return close


def offers_close_for_taken_seat(
    *, organization: Organization, lesson_id: int, actor: Actor
) -> Callable[[int, int], None] | None:
    """The schedule's "a seat of a group lesson is taken" hook (staff add a participant),
    inside its transaction, before the lesson's row is locked: the open seat offers of the
    lesson are locked in id order, the order a payment for one takes (offers, then the
    lesson in `lesson_participant_add`).

    Once the participant is added (`close(client_id, seats_left)`), the added client's own
    offer is booked by it, without a message (they came to the desk instead of paying);
    the other clients' offers the free seats no longer cover close, the newest first —
    all of them when the last seat is taken — and their clients are told once
    (`waitlist.offer_lost`) and wait again."""
    if _BOOKING_AN_OFFER.get():
        return None
    held = list(
        Offer.objects.for_org(organization)
        .select_for_update()
        .filter(source_id=lesson_id, is_seat=True, status=OS.OPEN)
        .order_by("pk")
    )
    if not held:
        return None

    def close(client_id: int, seats_left: int) -> None:
        now = timezone.now()
        own = [o for o in held if o.client_id == client_id]
        others = [o for o in held if o.client_id != client_id]
        with org_scope(organization):
            _offers_lost(others[max(seats_left, 0) :], actor, now)
            _offers_booked_by_staff(own, lesson_id, actor, now)

    return close


def _offers_booked_by_staff(
    offers: list[Offer], visit_id: int, actor: Actor, now: datetime
) -> None:
    """The waiting client's own offer, their time booked for them by staff: the offer and
    the entry are booked (the list shows it filled, "booked by staff"), nothing is paid and
    nothing is sent. Its own audit action says so in words (`waitlist.booked_by_staff`): a
    booking from the list that no payment link made."""
    if not offers:
        return
    ids = [o.pk for o in offers]
    Offer.objects.filter(pk__in=ids, status=OS.OPEN).update(
        status=OS.BOOKED, visit_id=visit_id, closed_at=now, booked_by_staff=True
    )
    Entry.objects.filter(pk__in=[o.entry_id for o in offers], status__in=LIVE).update(
        status=ES.BOOKED, closed_at=now
    )
    audit_record_many(
        model=Offer,
        ids=ids,
        actor=actor,
        action="waitlist.booked_by_staff",
        changes={"status": [OS.OPEN, OS.BOOKED], "visit_id": visit_id},
    )


def _send_one(offer: Offer, event: str, suffix: str, actor: Actor) -> None:
    message_send(
        organization=offer.organization,
        event=event,
        variables=message_variables(offer),
        actor=actor,
        client=offer.client,
        related=offer,
        idempotency_key=f"waitlist-offer:{offer.pk}:{suffix}",
    )


def _book(offer: Offer, actor: Actor, now: datetime) -> Visit | None:
    """Book the offer's slot for its client, or None when it is gone (the schedule checks
    it again under the specialist's or the lesson's row lock; a refusal changes nothing)."""
    if offer.starts_at <= now:
        return None
    mark = _BOOKING_AN_OFFER.set(True)
    try:
        with transaction.atomic():
            if offer.is_seat:
                lesson = Visit.objects.for_org(offer.organization).get(pk=offer.source_id)
                if not lesson.blocks_time:
                    return None
                schedule.lesson_participant_add(visit=lesson, client=offer.client, actor=actor)
                return lesson
            if offer.service is None:  # an appointment's offer always names its service
                return None
            return schedule.visit_create(
                organization=offer.organization,
                client=offer.client,
                staff=offer.staff,
                service=offer.service,
                starts_at=offer.starts_at,
                ends_at=offer.ends_at,
                branch=offer.branch,
                price=offer.amount,
                actor=actor,
                source=Visit.Source.ONLINE,
                allow_past=False,
                now=now,
            )
    except DomainError:
        return None
    finally:
        _BOOKING_AN_OFFER.reset(mark)


def offer_paid(payment: Payment, actor: Actor) -> None:
    """The money arrived (inside the payment's transaction): it lands on the client's
    balance, then the slot is booked for them if it is still free — even when the offer
    lapsed while they paid. Otherwise they are told the time was taken and the money stays
    on their balance; they keep their place on the list."""
    now = timezone.now()
    offer = offer_of_payment(payment)
    if offer is None:
        logger.warning("waitlist: payment %s has no offer; nothing booked", payment.pk)
        return
    title = offer_title(offer)
    money_received_record(
        client=offer.client,
        amount=payment.amount,
        purpose=LedgerEntry.Purpose.PREPAYMENT,
        article=WAITLIST_ARTICLE,
        actor=actor,
        cause=payment,
        comment=StoredText(
            gettext_noop("Waiting list prepayment: %(what)s"), what=offer_named(offer)
        ),
        deposit_line=StoredText(gettext_noop("Prepayment: %(what)s"), what=title),
        branch=offer.branch,
    )
    before = offer.status
    visit = None if before in (OS.BOOKED, OS.WITHDRAWN) else _book(offer, actor, now)
    entry = offer.entry
    if visit is not None:
        offer.status, offer.visit, offer.closed_at = OS.BOOKED, visit, now
        entry.status, entry.closed_at = ES.BOOKED, now
        # Others holding any of this time lose it, and are told (a seat offer holds its own
        # seat). Their rows are already locked (`offer_of_payment`).
        if not offer.is_seat:
            _offers_lost(
                list(
                    Offer.objects.for_org(offer.organization)
                    .filter(
                        _overlapping(offer.staff_id, offer.starts_at, offer.ends_at),
                        status=OS.OPEN,
                    )
                    .exclude(pk=offer.pk)
                ),
                actor,
                now,
            )
        action, event, suffix = "waitlist.booked", events.BOOKED, "booked"
    else:
        offer.status = OS.TAKEN if before in (OS.OPEN, OS.EXPIRED) else before
        offer.closed_at = offer.closed_at or now
        if entry.status in LIVE or entry.status == ES.EXPIRED:
            entry.status, entry.closed_at = ES.WAITING, None  # keeps their place
        action, event, suffix = "waitlist.slot_taken", events.SLOT_TAKEN, "taken"
        staff_notify(
            organization=offer.organization,
            title=StoredText(gettext_noop("Waiting list: paid, but the time was taken")),
            body=StoredText(
                gettext_noop(
                    "%(client)s paid %(amount)s for %(what)s; the money is on their balance."
                ),
                client=offer.client.name,
                amount=Money(offer.amount, offer.organization.currency),
                what=title,
            ),
            related=offer,
            level="warning",
        )
    offer.save(update_fields=["status", "visit", "closed_at"])
    entry.save(update_fields=["status", "closed_at"])
    audit_record(
        organization=offer.organization,
        actor=actor,
        action=action,
        obj=offer,
        changes={
            "status": [before, offer.status],
            "visit_id": visit.pk if visit else None,
            "payment_id": payment.pk,
        },
    )
    _send_one(offer, event, suffix, actor)


def offer_unpaid(payment: Payment, actor: Actor) -> None:
    """A declined card: the offer keeps its own deadline (the client may try again until
    then), so nothing changes here."""


def offer_refunded(payment: Payment, amount: int, actor: Actor) -> None:
    """The provider returned an offer's prepayment: the ledger's refund, its comment naming
    the offered time. The offer is read once with what names it (`OFFER_NAMED_BY`): a seat
    offer's lesson cost a query more per refund."""
    if payment.client is None:
        return
    offer = (
        Offer.objects.for_org(payment.organization)
        .select_related(*OFFER_NAMED_BY)
        .filter(pk=payment.purpose_id)
        .first()
    )
    comment = (
        StoredText(
            gettext_noop("Refund of the waiting list prepayment: %(what)s"), what=offer_named(offer)
        )
        if offer is not None
        else StoredText(gettext_noop("Refund of the waiting list prepayment"))
    )
    money_refunded_record(
        client=payment.client,
        amount=amount,
        actor=actor,
        cause=payment,
        comment=comment,
        branch=payment.branch if payment.branch_id else None,
    )


def offer_payment_retry(payment: Payment, actor: Actor) -> Payment:
    """ "Try again" after a declined card: a new attempt while the offer is open."""
    offer = Offer.objects.for_org(payment.organization).filter(pk=payment.purpose_id).first()
    if offer is None:
        raise NotFound(_("This offer no longer exists."))
    return offer_payment(offer=offer, actor=actor)


@transaction.atomic
def offer_book_free(*, offer: Offer, actor: Actor, now: datetime | None = None) -> Offer:
    """An offer with nothing to pay (a free service or lesson): the client takes it."""
    now = now or timezone.now()
    locked = _locked_with_its_time(offer.organization, offer.pk)
    if locked is None:
        raise NotFound(_("This offer no longer exists."))
    offer = locked
    if not offer_is_open(offer, now) or offer.amount > 0:
        raise Conflict(_("This offer is no longer open."), field="status")
    visit = _book(offer, actor, now)
    if visit is None:
        offer.status, offer.closed_at = OS.TAKEN, now
        offer.save(update_fields=["status", "closed_at"])
        Entry.objects.for_org(offer.organization).filter(pk=offer.entry_id).update(
            status=ES.WAITING
        )
        raise Conflict(_("Sorry, this time was just taken."), field="status")
    offer.status, offer.visit, offer.closed_at = OS.BOOKED, visit, now
    offer.save(update_fields=["status", "visit", "closed_at"])
    Entry.objects.for_org(offer.organization).filter(pk=offer.entry_id).update(
        status=ES.BOOKED, closed_at=now
    )
    if not offer.is_seat:  # others holding any of this time lose it, as after a payment
        _offers_lost(
            list(
                Offer.objects.for_org(offer.organization)
                .filter(_overlapping(offer.staff_id, offer.starts_at, offer.ends_at))
                .filter(status=OS.OPEN)
                .exclude(pk=offer.pk)
            ),
            actor,
            now,
        )
    audit_record(
        organization=offer.organization,
        actor=actor,
        action="waitlist.booked",
        obj=offer,
        changes={"status": [OS.OPEN, OS.BOOKED], "visit_id": visit.pk},
    )
    _send_one(offer, events.BOOKED, "booked", actor)
    return offer


def public_join(
    *,
    organization: Organization,
    service: Service,
    staff: User | None,
    date_from: date,
    date_to: date,
    name: str,
    phone: str,
    consent: bool,
    ip: str | None,
    now: datetime | None = None,
) -> Entry:
    """ "Notify me" on the online booking page when nothing is free: the client (found or
    made by phone, as an online booking does) waits for the service. Counted against the
    same per-address limit as online bookings; refuses (nothing written) a missing name,
    an invalid phone, no consent, a service not bookable online."""
    now = now or timezone.now()
    if schedule_selectors.online_rate_limited(organization=organization, ip=ip, now=now):
        raise schedule.RateLimited(
            _("Too many bookings from your network. Please wait a minute and try again.")
        )
    schedule.online_attempt_record(organization=organization, ip=ip, now=now)
    name = " ".join(clean_line(name).split())
    if not name:
        raise DomainError(_("Enter your name."), field="name")
    if len(name) > 200:
        raise DomainError(_("The name is too long."), field="name")
    if not phone.strip():
        raise DomainError(_("Enter your phone number."), field="phone")
    e164 = normalize_phone(phone)
    if not consent:
        raise DomainError(
            _("Please agree to the processing of your personal data."), field="consent"
        )
    if not service.online_booking or not service.is_active:
        raise DomainError(_("This service cannot be booked online."), field="service_id")
    actor = Actor.client_link(f"waiting list {e164}")
    with transaction.atomic():
        client, _created = client_find_or_create(
            organization=organization, name=name, phone=e164, actor=actor
        )
        return entry_create(
            organization=organization,
            client=client,
            service=service,
            staff=staff,
            date_from=date_from,
            date_to=date_to,
            actor=actor,
            now=now,
        )
