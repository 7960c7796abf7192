"""Set-based writes on many visits at once, for the sweeps of the apps above the schedule.

The prepayment deadlines sweep cancels and re-marks thousands of visits per tick; one service
call per visit would cost a transaction, a row lock and an audit INSERT each. These services
do the same changes with a constant number of statements per call — and the same audit rows
`visit_status_set` / `attendance_mark` / `visit_booking_state_set` write one at a time — so
the schedule stays the only app that writes visits and attendances (DESIGN rule 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from zapys.core.audit import Actor, audit_record_many
from zapys.core.exceptions import DomainError
from zapys.schedule import hooks
from zapys.schedule.models import Attendance, Visit, VisitStatus
from zapys.schedule.services import visit_cancel

#: Attendances that have nothing to undo when their visit is cancelled.
_UNMARKED = (Attendance.State.PLANNED, Attendance.State.CANCELLED)


@transaction.atomic
def visits_cancel_many(
    *, visit_ids: Sequence[int], status: VisitStatus, actor: Actor, now: datetime
) -> list[int]:
    """Cancel the visits into `status` (a cancellation status of their organization); returns
    the ids actually cancelled. Visits no longer in the calendar are left alone.

    Untouched visits (every attendance still planned) are cancelled set-based: the visits,
    their planned attendances, and an audit row for each. A visit someone already marked (an
    attended client: a charge or a membership visit to give back) goes through `visit_cancel`,
    which knows how to undo that."""
    if not status.is_cancellation:
        raise DomainError("Choose a cancellation status.", field="status_id")
    org_id = status.organization_id
    visits = Visit.objects.for_org(org_id)
    attendances = Attendance.objects.for_org(org_id)
    live = list(
        visits.select_for_update()
        .filter(pk__in=list(visit_ids), blocks_time=True)
        .values_list("pk", flat=True)
    )
    marked = set(
        attendances.filter(visit_id__in=live)
        .exclude(state__in=_UNMARKED)
        .values_list("visit_id", flat=True)
    )
    plain = [pk for pk in live if pk not in marked]
    if plain:
        visits.filter(pk__in=plain).update(status=status, blocks_time=False, cancelled_at=now)
        planned = list(
            attendances.filter(visit_id__in=plain, state=Attendance.State.PLANNED).values_list(
                "pk", flat=True
            )
        )
        attendances.filter(pk__in=planned).update(state=Attendance.State.CANCELLED, marked_at=now)
        audit_record_many(
            model=Visit,
            ids=plain,
            actor=actor,
            action="visit.status",
            changes={"status": [None, status.code]},
        )
        hooks.time_freed_on_commit(plain)
        audit_record_many(
            model=Attendance,
            ids=planned,
            actor=actor,
            action="attendance.mark",
            changes={"state": [Attendance.State.PLANNED, Attendance.State.CANCELLED]},
        )
    for visit in visits.filter(pk__in=sorted(marked)).select_related("organization", "status"):
        visit_cancel(visit=visit, actor=actor, status=status, now=now)
    return [*plain, *sorted(marked)]


@transaction.atomic
def visits_booking_state_set_many(*, visit_ids: Sequence[int], state: str, actor: Actor) -> int:
    """The prepayment clock on many visits (grey/green/red, or none); one audit row each.

    The active scope decides whose visits: one organization's inside `org_scope`, every
    organization's inside `unscoped()` (a sweep's batch spans them; each audit row takes its
    organization from its visit)."""
    if state not in Visit.BookingState.values:
        raise DomainError(f"Unknown booking state {state!r}.", field="booking_state")
    visits = Visit.objects.all()
    changing = list(
        visits.filter(pk__in=list(visit_ids))
        .exclude(booking_state=state)
        .values_list("pk", flat=True)
    )
    if not changing:
        return 0
    visits.filter(pk__in=changing).update(booking_state=state)
    audit_record_many(
        model=Visit,
        ids=changing,
        actor=actor,
        action="visit.booking_state",
        changes={"booking_state": [None, state]},
    )
    return len(changing)
