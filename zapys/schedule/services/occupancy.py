"""Whose time a visit takes, and the guard against double booking (shared by visits, lessons
and attendance).

Double booking. `check_free` runs inside the caller's transaction after locking the
specialist's row (and the room's), so two concurrent bookings of the same person queue
on that lock and the second one sees the first one's visit. On SQLite the IMMEDIATE
transaction mode already serialises writers; on PostgreSQL migration 0002 adds exclusion
constraints (btree_gist, `tstzrange(starts_at, ends_at) &&` per staff and per room, only
for rows that block time) as the backstop any code path hits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization, User
from zapys.catalog.models import Room
from zapys.core.audit import Actor, audit_record
from zapys.core.dates import date_inline
from zapys.core.exceptions import Conflict, NotFound
from zapys.core.prepared import PreparedQuery
from zapys.core.tenancy import organization_zone
from zapys.schedule import hooks
from zapys.schedule.models import Visit, VisitStatus


def lock_row(model: Any, pk: int) -> None:
    """Row lock (PostgreSQL) that serialises bookings of one specialist / room."""
    list(model._base_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))


def _describe(visit: Visit) -> str:
    tz = organization_zone(visit.organization)
    start = visit.starts_at.astimezone(tz)
    end = visit.ends_at.astimezone(tz)
    # named as messages name a visit: «Манікюр», 7 грудня, 10:45–11:15
    return f"«{visit.title}», {date_inline(start.date(), 'j E')}, {start:%H:%M}–{end:%H:%M}"


def check_free(
    *,
    organization: Organization,
    staff: User,
    starts_at: datetime,
    ends_at: datetime,
    room: Room | None = None,
    exclude_id: int | None = None,
) -> None:
    """Conflict (409, naming the visit) when the specialist or the room is taken."""
    lock_row(User, staff.pk)
    if room is not None:
        lock_row(Room, room.pk)
    base = (
        Visit.objects.for_org(organization)
        .filter(blocks_time=True, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("service", "group", "subject", "lesson_type", "organization")
    )
    if exclude_id is not None:
        base = base.exclude(pk=exclude_id)
    clash = base.filter(staff=staff).order_by("starts_at").first()
    if clash is not None:
        raise Conflict(
            _("%(staff)s already has a visit at this time: %(visit)s.")
            % {"staff": staff, "visit": _describe(clash)},
            field="starts_at",
            extra={"conflicting_visit_id": clash.pk},
        )
    if room is not None:
        clash = base.filter(room=room).order_by("starts_at").first()
        if clash is not None:
            raise Conflict(
                _("The room %(room)s is taken at this time: %(visit)s.")
                % {"room": room, "visit": _describe(clash)},
                field="room_id",
                extra={"conflicting_visit_id": clash.pk},
            )


def time_take(
    *,
    organization: Organization,
    staff: User,
    starts_at: datetime,
    ends_at: datetime,
    actor: Actor,
    room: Room | None = None,
    exclude_id: int | None = None,
) -> Callable[[Visit], None]:
    """`check_free` for a write that takes the time: the apps above lock what they hold of
    it first (`hooks.run_time_taking`: the waiting list's open offers, before the specialist,
    the order its payments lock in). Call the result with the saved visit."""
    taken = hooks.run_time_taking(
        organization=organization,
        staff_id=staff.pk,
        starts_at=starts_at,
        ends_at=ends_at,
        actor=actor,
    )
    check_free(
        organization=organization,
        staff=staff,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        exclude_id=exclude_id,
    )
    return taken


def save_checked(visit: Visit, **kwargs: Any) -> None:
    """Save; an exclusion-constraint violation (PostgreSQL backstop) becomes a 409."""
    try:
        with transaction.atomic():
            visit.save(**kwargs)
    except IntegrityError as exc:
        if "overlap" in str(exc):
            raise Conflict(_("This time is already taken."), field="starts_at") from exc
        raise


def same_org(organization: Organization, **objs: Any) -> None:
    for field, obj in objs.items():
        if obj is not None and getattr(obj, "organization_id", None) != organization.pk:
            raise NotFound(_("Unknown object."), field=field)


#: The visit's relations its lockers read (`locked_visit` returns them loaded).
LOCKED_VISIT_RELATED = ("status", "organization", "service", "group", "branch", "client", "staff")


def locked_visit(visit: Visit) -> Visit:
    """The visit, its row locked, with what the callers read of it.

    The lock is taken on the row alone first (its own columns, read under the lock), then the
    relations follow: PostgreSQL re-checks a FOR UPDATE's joins against the row version it
    waited for, so a joined `SELECT … FOR UPDATE` waiting on a concurrent writer that moved
    the visit's status (a checkout, "Arrived") would return no row at all — a 500. Once the
    lock is ours, the relations are those the caller loaded in this request if the locked row
    still points at the same ones (a checkout at the desk: the card loaded them), else one
    plain joined read of the committed row. Another organization's or a missing visit:
    DoesNotExist, as before."""
    locked = _VISIT_LOCK.first(org=visit.organization_id, visit=visit.pk)
    if locked is None:
        raise Visit.DoesNotExist
    if _related_taken_over(visit, locked):
        return locked
    return (
        Visit.objects.for_org(visit.organization)
        .select_related(*LOCKED_VISIT_RELATED)
        .get(pk=visit.pk)
    )


# The lock's read, compiled once (core/prepared.py): every checkout and payment takes it.
_VISIT_LOCK: PreparedQuery[Visit] = PreparedQuery(
    lambda s: Visit.objects.for_org(s.org()).select_for_update().filter(pk=s.number("visit"))
)


def _related_taken_over(source: Visit, locked: Visit) -> bool:
    """Give `locked` the related rows `source` has loaded, when every relation it points at
    is loaded there under the same id (a status moved meanwhile: not the same id, so the
    joined read runs). The visit's own columns — status, price, client — are the locked
    row's either way."""
    loaded = source._state.fields_cache
    taken: dict[str, Any] = {}
    for name in LOCKED_VISIT_RELATED:
        target_id = getattr(locked, f"{name}_id")
        if target_id is None:
            continue
        related = loaded.get(name)
        if related is None or related.pk != target_id:
            return False
        taken[name] = related
    locked._state.fields_cache.update(taken)
    return True


def status_moved_record(
    visit: Visit,
    *,
    before: VisitStatus,
    actor: Actor,
    now: datetime,
    options: dict[str, Any] | None = None,
) -> dict:
    """After `status_move`: the audit row and the apps' reactions (`hooks.
    run_visit_status_handlers`: a cancelled visit's paid booking by the cancellation policy,
    a no-show's fee...). Every path that changes a visit's status ends here — the status
    buttons and the attendance marks alike — so the money follows the status whichever
    button staff pressed."""
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="visit.status",
        obj=visit,
        changes={"status": [before.code, visit.status.code]},
    )
    return hooks.run_visit_status_handlers(
        visit, before=before, after=visit.status, actor=actor, now=now, options=options or {}
    )


def status_move(visit: Visit, status: VisitStatus, actor: Actor, now: datetime) -> None:
    """Move the (locked) visit to `status`, freeing or re-taking its time (freed time is
    announced on commit: `hooks.run_after_time_freed`)."""
    if status.is_cancellation and visit.blocks_time:
        hooks.time_freed_on_commit([visit.pk])
    taken = None
    if not status.is_cancellation and not visit.blocks_time:
        # Un-cancelling takes the time again: it must still be free.
        taken = time_take(
            organization=visit.organization,
            staff=visit.staff,
            starts_at=visit.starts_at,
            ends_at=visit.ends_at,
            actor=actor,
            room=visit.room,
            exclude_id=visit.pk,
        )
    visit.status = status
    visit.blocks_time = not status.is_cancellation
    visit.cancelled_at = now if status.is_cancellation else None
    save_checked(visit, update_fields=["status", "blocks_time", "cancelled_at"])
    if taken is not None:
        taken(visit)
