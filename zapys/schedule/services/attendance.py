"""Attendance marks: a client attended, was absent, cancelled, or is planned again — with the
charge that goes with "attended" (a membership visit, or the price when the balance covers
it; otherwise the visit waits for its checkout) given back when the mark changes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, audit_row, changes_between
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.models import AuditLog
from zapys.core.prepared import row_update
from zapys.core.tenancy import organization_zone
from zapys.ledger import services as ledger
from zapys.ledger.selectors import client_balance
from zapys.memberships import services as memberships
from zapys.schedule import hooks
from zapys.schedule.models import Attendance, Visit, VisitStatus
from zapys.schedule.selectors import schedule_settings_for
from zapys.schedule.services.occupancy import locked_visit, status_move, status_moved_record
from zapys.schedule.services.statuses import status_first, visit_status_default

if TYPE_CHECKING:
    from zapys.clients.models import Client


def marks_open(visit: Visit, now: datetime) -> bool:
    """Whether the visit card and the day's journal offer «прийшов» / «не прийшов» yet: from
    the visit's day on, in the organization's calendar (the day its card starts showing the
    checkout, docs/architecture.md "The visit card's money"). Nine days ahead nobody has
    come or failed to come: the card offered «Відмітити прихід» there (sixth tour, #22).
    The service itself still accepts an early mark (an API caller's correction)."""
    zone = organization_zone(visit.organization)
    return visit.starts_at.astimezone(zone).date() <= now.astimezone(zone).date()


def attendance_state_for(status: VisitStatus) -> str:
    if status.counts_as_came:
        return Attendance.State.ATTENDED
    if status.is_no_show:
        return Attendance.State.ABSENT
    if status.is_cancellation:
        return Attendance.State.CANCELLED
    return Attendance.State.PLANNED


def _attendance_undo_charge(attendance: Attendance, actor: Actor) -> None:
    if attendance.charge == Attendance.Charge.MEMBERSHIP:
        memberships.membership_return_visit(cause=attendance, actor=actor)
    elif attendance.charge == Attendance.Charge.BALANCE and attendance.entry_id:
        # The charge is the attendance's own entry (its cause); one that staff cancelled in
        # the ledger meanwhile is left as it is.
        ledger.entries_cancel_for_cause(cause=attendance, actor=actor, reason="attendance undone")
    attendance.charge = Attendance.Charge.NONE
    attendance.membership_id = None
    attendance.entry_id = None


def _attendance_charge(attendance: Attendance, visit: Visit, actor: Actor) -> None:
    tz = organization_zone(visit.organization)
    client = attendance.client
    membership = memberships.membership_consume_visit(
        client=client,
        on_date=visit.starts_at.astimezone(tz).date(),
        actor=actor,
        cause=attendance,
        service=visit.service,
        group=visit.group,
    )
    if membership is not None:
        attendance.charge = Attendance.Charge.MEMBERSHIP
        attendance.membership_id = membership.pk
        return
    settings = schedule_settings_for(visit.organization)
    if (
        settings.charge_without_membership
        and visit.price > 0
        and _free_balance(client, visit) >= visit.price
    ):
        # Only what the balance covers is charged on arrival: arriving never pushes a
        # client into debt. Otherwise the visit stays to pay until its checkout (V1).
        entry = ledger.entry_create(
            client=client,
            kind="credit",  # a charge for the service delivered
            amount=visit.price,
            purpose="service",
            actor=actor,
            cause=attendance,
            branch=visit.branch,
            comment=visit.title,
        )
        attendance.charge = Attendance.Charge.BALANCE
        attendance.entry_id = entry.pk


def _free_balance(client: Client, visit: Visit) -> int:
    """The client's balance less what paid prepayments of their OTHER visits hold
    (`hooks.balance_held`, the checkout's rule: docs/architecture.md, "The visit card's
    money"): a participant marked arrived at a lesson must not spend the prepayment of
    tomorrow's appointment. Asked only when the whole balance would cover the price."""
    balance = client_balance(client)
    if balance < visit.price:
        return balance
    return balance - hooks.balance_held(visit, [client.pk]).get(client.pk, 0)


def attendance_charge_record(*, attendance: Attendance, entry_id: int) -> None:
    """The visit's checkout charged the client (the caller holds the visit's lock, wrote the
    charge with the attendance as its cause and audits the checkout): the attendance is
    charged to the balance, so a later "attended" mark charges nothing and leaving
    "attended" cancels the charge."""
    Attendance.objects.for_org(attendance.organization_id).filter(pk=attendance.pk).update(
        charge=Attendance.Charge.BALANCE, entry_id=entry_id
    )
    attendance.charge, attendance.entry_id = Attendance.Charge.BALANCE, entry_id


def attendance_arrived_locked(
    *,
    visit: Visit,
    attendance: Attendance,
    actor: Actor,
    now: datetime,
    charge_entry_id: int | None = None,
    audit_rows: list[AuditLog] | None = None,
) -> None:
    """ "Attended" for an appointment's client whom nothing covers (the common checkout),
    under the visit's and the attendance's locks the caller already holds, in that order.

    What `attendance_mark(…, ATTENDED)` writes for such an arrival, without taking the
    locks and reading the visit, a membership and the balance again (the caller has just
    done so): the attendance attended — in ONE UPDATE with the caller's charge entry when
    it charged the visit (what `attendance_charge_record` would write next) —, the mark's
    audit row as `attendance_apply` writes it, and the visit moved to the first "came"
    status as `attendance_mark` moves it (a status that keeps the time taken: nothing to
    free or re-check). With `audit_rows` the audit row is handed to the caller, to be
    inserted with its own in one statement; otherwise it is written here."""
    assert connection.in_atomic_block, "the caller holds the visit's and attendance's locks"
    if visit.kind != Visit.Kind.INDIVIDUAL or not visit.blocks_time:
        raise ValueError("attendance_arrived_locked is for an appointment that takes its time")
    before = {"state": attendance.state, "charge": attendance.charge}
    values: dict[str, object] = {"state": Attendance.State.ATTENDED, "marked_at": now}
    if charge_entry_id is not None:
        values |= {"charge": Attendance.Charge.BALANCE, "entry_id": charge_entry_id}
    row_update(Attendance, org=visit.organization_id, pk=attendance.pk, **values)
    for name, value in values.items():
        setattr(attendance, name, value)
    row = audit_row(
        organization=visit.organization,
        actor=actor,
        action="attendance.mark",
        obj=attendance,
        # the mark's own change; a charge written with it is the ledger entry's audit row
        changes=changes_between(before, {"state": attendance.state, "charge": before["charge"]}),
    )
    if audit_rows is not None:
        audit_rows.append(row)
    else:
        row.save(force_insert=True)
    came = status_first(visit.organization, counts_as_came=True)
    if came.pk != visit.status_id:
        row_update(
            Visit,
            org=visit.organization_id,
            pk=visit.pk,
            status_id=came.pk,
            blocks_time=True,
            cancelled_at=None,
        )
        visit.status, visit.blocks_time, visit.cancelled_at = came, True, None


def attendance_apply(
    attendance: Attendance, visit: Visit, state: str, actor: Actor, now: datetime
) -> bool:
    """Move one attendance to `state`, charging on entering "attended" and undoing on
    leaving it. Returns whether anything changed."""
    if attendance.state == state:
        return False
    before = {"state": attendance.state, "charge": attendance.charge}
    if attendance.state == Attendance.State.ATTENDED:
        _attendance_undo_charge(attendance, actor)
    attendance.state = state
    attendance.marked_at = now if state != Attendance.State.PLANNED else None
    if state == Attendance.State.ATTENDED and attendance.charge == Attendance.Charge.NONE:
        # (a visit checked out before the mark is charged already)
        _attendance_charge(attendance, visit, actor)
    attendance.save(update_fields=["state", "charge", "membership_id", "entry_id", "marked_at"])
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="attendance.mark",
        obj=attendance,
        changes=changes_between(before, {"state": state, "charge": attendance.charge}),
    )
    return True


@transaction.atomic
def attendance_mark(
    *, attendance: Attendance, state: str, actor: Actor, now: datetime | None = None
) -> Attendance:
    """Mark a client attended / absent / cancelled / planned on a visit or lesson.

    Attended consumes a visit of the client's matching membership, or (per the
    organization's setting) charges the price to the balance when the balance covers it —
    never into debt: an uncovered visit stays to pay until its checkout (the checkout app);
    leaving "attended" gives it back. On an appointment the visit's status follows.
    """
    now = now or timezone.now()
    if state not in Attendance.State.values:
        raise DomainError(_("Unknown attendance state."), field="state")
    # A cancelled place taken back is a seat taken: the waiting list's open seat offers of the
    # lesson are locked first (`hooks.run_seat_taking`), as `lesson_participant_add` does —
    # a seat payment locks the offers, then the lesson, so the lesson must not come first.
    seat_taken = (
        hooks.run_seat_taking(
            organization=attendance.organization, lesson_id=attendance.visit_id, actor=actor
        )
        if attendance.state == Attendance.State.CANCELLED and state != Attendance.State.CANCELLED
        else None
    )
    # The visit first, then the attendance: the order every path that settles a visit takes
    # (status changes, the checkout), so no two of them wait on each other in a circle.
    visit = locked_visit(Visit(pk=attendance.visit_id, organization=attendance.organization))
    attendance = (
        Attendance.objects.for_org(attendance.organization)
        .select_for_update(of=("self",))
        .select_related("client")
        .get(pk=attendance.pk)
    )
    attendance.visit = visit
    if not visit.blocks_time and state != Attendance.State.CANCELLED:
        raise Conflict(_("The visit is cancelled."), field="state")
    if state == Attendance.State.PLANNED or attendance.state == Attendance.State.CANCELLED:
        taken = (
            Attendance.objects.for_org(visit.organization)
            .filter(visit=visit)
            .exclude(pk=attendance.pk)
            .exclude(state=Attendance.State.CANCELLED)
            .count()
        )
        if state != Attendance.State.CANCELLED and taken >= visit.capacity:
            raise Conflict(_("The lesson is full."), field="state")
    retaken = attendance.state == Attendance.State.CANCELLED and state != attendance.state
    changed = attendance_apply(attendance, visit, state, actor, now)
    if seat_taken is not None and retaken and visit.kind == Visit.Kind.LESSON:
        seat_taken(attendance.client_id, visit.capacity - taken - 1)  # the offers it beats
    if changed and state == Attendance.State.CANCELLED and visit.kind == Visit.Kind.LESSON:
        hooks.time_freed_on_commit([visit.pk])  # a seat of the lesson is free
    if changed and visit.kind == Visit.Kind.INDIVIDUAL:
        flag_map: dict[str, dict[str, bool]] = {
            Attendance.State.ATTENDED: {"counts_as_came": True},
            Attendance.State.ABSENT: {"is_no_show": True},
            Attendance.State.CANCELLED: {"is_cancellation": True},
        }
        flags = flag_map.get(state)
        target = (
            status_first(visit.organization, **flags)
            if flags
            else visit_status_default(visit.organization)
        )
        if target.pk != visit.status_id:
            # the visit's status follows the mark, with what a status change brings: a
            # no-show's fee, a paid booking cancelled by the policy (as the status buttons)
            before = visit.status
            status_move(visit, target, actor, now)
            status_moved_record(visit, before=before, actor=actor, now=now)
    return attendance
