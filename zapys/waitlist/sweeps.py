"""The waiting-list deadlines: offers not paid in time pass to the next client.

Deadlines are a column (`Offer.expires_at`), so a worker that was down past them catches up
on its next run: every lapsed offer is passed on once, oldest deadline first, and the next
offer's deadline counts from the run (the next client gets their full time). A client who
let an offer lapse keeps their place on the list (waiting again) but is not offered that
time again. Each batch costs a constant number of queries whatever its size: claim (FOR
UPDATE SKIP LOCKED on PostgreSQL) → one conditional UPDATE of the offers → bulk audit rows
→ `slots_offer` for the slots they held (constant too: see `services.slots_offer`) → one
UPDATE of the lapsed entries.

The same job offers the times freed during quiet hours once they end (`offer_deferred`):
claim the due `DeferredSlot` rows → delete them → `slots_offer` at the run's time, which
checks they are still free and still ahead; each offer's pay window counts from then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from zapys.core.audit import Actor, audit_record_many
from zapys.core.tenancy import unscoped
from zapys.waitlist.models import DeferredSlot, Entry, Offer
from zapys.waitlist.services import SLOT_FIELDS, slot_of_deferred, slot_of_row, slots_offer

BATCH_SIZE = 1000
ACTOR = Actor.scheduler("waitlist.sweep")


@dataclass
class SweepResult:
    expired: int = 0
    offered: int = 0
    closed: int = 0
    mornings: int = 0
    morning_offers: int = 0

    def summary(self) -> str:
        return (
            f"offers lapsed {self.expired}, passed on {self.offered}, "
            f"entries past their dates {self.closed}, "
            f"times kept through quiet hours {self.mornings}, offered now {self.morning_offers}"
        )


#: An offer's slot, and whose it was (its entry goes back to waiting).
_SLOT_FIELDS = ("pk", "entry_id", *SLOT_FIELDS)


def expire_batch(now: datetime, *, size: int | None = None) -> tuple[int, int]:
    """Open offers past their deadline → expired, the slots they held offered to the next
    entries, and the lapsed entries back to waiting in their place. Returns (lapsed,
    offered)."""
    with transaction.atomic():
        qs = Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now).order_by(
            "expires_at", "id"
        )
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = list(qs.values(*_SLOT_FIELDS)[: size or BATCH_SIZE])
        if not rows:
            return 0, 0
        ids = [r["pk"] for r in rows]
        moved = Offer.objects.filter(pk__in=ids, status=Offer.Status.OPEN).update(
            status=Offer.Status.EXPIRED, closed_at=now
        )
        if moved != len(ids):  # pragma: no cover - rows are locked/serialised
            raise RuntimeError("waitlist: expiry batch lost rows it had claimed")
        audit_record_many(
            model=Offer,
            ids=ids,
            actor=ACTOR,
            action="waitlist.offer_expired",
            changes={"status": [Offer.Status.OPEN, Offer.Status.EXPIRED]},
        )
        slots = [slot_of_row(r) for r in rows]
        # The slots go on while the lapsed clients still count as offered: the next
        # client gets the time now, and its previous holder is never offered it again
        # (`services._offered_before`).
        offered = slots_offer(slots, now)
        # They keep their place: back to waiting for the next freed time (as Mangomint
        # keeps a client whose opening was dismissed; research.md §1.4), not off the list.
        Entry.objects.filter(
            pk__in=[r["entry_id"] for r in rows], status=Entry.Status.OFFERED
        ).update(status=Entry.Status.WAITING)
    return len(rows), len(offered)


_DEFERRED_FIELDS = ("pk", *SLOT_FIELDS)


def offer_deferred(now: datetime, *, size: int | None = None) -> tuple[int, int]:
    """The times freed during quiet hours that have ended: offered now, when still free and
    still ahead (`slots_offer` checks both, and keeps a time back again should the quiet
    hours have moved meanwhile). Returns (times claimed, offers made)."""
    with transaction.atomic():
        qs = DeferredSlot.objects.filter(offer_at__lte=now).order_by("offer_at", "id")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs.values(*_DEFERRED_FIELDS)[: size or BATCH_SIZE])
        if not rows:
            return 0, 0
        DeferredSlot.objects.filter(pk__in=[r["pk"] for r in rows]).delete()
        offered = slots_offer([slot_of_deferred(r) for r in rows], now)
    return len(rows), len(offered)


def close_past_entries(now: datetime) -> int:
    """Entries whose last day is over (a day's grace covers every time zone)."""
    return Entry.objects.filter(
        status=Entry.Status.WAITING, date_to__lt=(now - timedelta(days=1)).date()
    ).update(status=Entry.Status.EXPIRED, closed_at=now)


def sweep(now: datetime | None = None, *, max_batches: int = 1000) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    with unscoped():
        for _i in range(max_batches):
            lapsed, offered = expire_batch(now)
            result.expired += lapsed
            result.offered += offered
            if lapsed < BATCH_SIZE:
                break
        for _i in range(max_batches):
            claimed, offered = offer_deferred(now)
            result.mornings += claimed
            result.morning_offers += offered
            if claimed < BATCH_SIZE:
                break
        result.closed = close_past_entries(now)
    return result
