"""Individual appointments: create, move, edit, change status, cancel."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from zapys.core.tenancy import organization_zone
from zapys.core.text import strip_control
from zapys.schedule import hooks
from zapys.schedule.models import Attendance, Visit, VisitStatus
from zapys.schedule.services.attendance import attendance_apply, attendance_state_for
from zapys.schedule.services.occupancy import (
    locked_visit,
    same_org,
    save_checked,
    status_move,
    status_moved_record,
    time_take,
)
from zapys.schedule.services.statuses import is_system_actor, status_first, visit_status_default


def _resolve_branch(
    organization: Organization, staff: User, service: Service | None, branch: Branch | None
) -> Branch:
    if branch is not None:
        return branch
    staff_branches = list(staff.branches.all())
    if service is not None:
        service_branch_ids = {b.pk for b in service.branches.all()}
        for candidate in staff_branches:
            if not service_branch_ids or candidate.pk in service_branch_ids:
                return candidate
    if staff_branches:
        return staff_branches[0]
    first = Branch.objects.for_org(organization).order_by("name", "id").first()
    if first is None:
        raise DomainError(_("Choose a branch."), field="branch_id")
    return first


def _visit_end(
    organization: Organization, starts_at: datetime, *, ends_at: datetime | None, minutes: int
) -> datetime:
    """Where a visit ends: `ends_at` when given (naive: the organization's wall clock), else
    `minutes` after the start. An end that is not after the start is refused on `ends_at`."""
    if ends_at is None:
        ends_at = starts_at + timedelta(minutes=minutes)
    elif timezone.is_naive(ends_at):
        ends_at = ends_at.replace(tzinfo=organization_zone(organization))
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."), field="ends_at")
    return ends_at


def _annotate_warnings(visit: Visit, now: datetime) -> Visit:
    visit.in_past = visit.starts_at < now  # type: ignore[attr-defined]
    return visit


@transaction.atomic
def visit_create(
    *,
    organization: Organization,
    client: Client,
    staff: User,
    service: Service,
    starts_at: datetime,
    actor: Actor,
    branch: Branch | None = None,
    price: int | None = None,
    duration_minutes: int | None = None,
    ends_at: datetime | None = None,
    comment: str = "",
    source: str = Visit.Source.STAFF,
    status: VisitStatus | None = None,
    allow_past: bool = True,
    now: datetime | None = None,
) -> Visit:
    """An individual appointment. The end is `ends_at`, else the start plus
    `duration_minutes`, else plus the service's duration; the price comes from the service
    (or `price`).

    A visit in the past is allowed for staff (entering yesterday's walk-in) and carries
    `in_past=True` so the UI/API can warn; the public page passes `allow_past=False`.
    """
    now = now or timezone.now()
    same_org(
        organization,
        client_id=client,
        staff_id=staff,
        service_id=service,
        branch_id=branch,
        status_id=status,
    )
    if not staff.is_active:
        raise DomainError(_("This specialist is not active."), field="staff_id")
    if getattr(client, "deleted_at", None) is not None:
        raise DomainError(_("This client is deleted."), field="client_id")
    if not service.is_active:
        raise DomainError(_("This service is not available."), field="service_id")
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=organization_zone(organization))
    if not allow_past and starts_at < now:
        raise DomainError(_("This time has already passed."), field="starts_at")
    minutes = duration_minutes if duration_minutes is not None else service.duration_minutes
    if ends_at is None and minutes <= 0:
        raise DomainError(_("The end must be after the start."), field="duration_minutes")
    ends_at = _visit_end(organization, starts_at, ends_at=ends_at, minutes=minutes)
    if price is not None and price < 0:
        raise DomainError(_("The price cannot be negative."), field="price")
    branch = _resolve_branch(organization, staff, service, branch)
    service_branch_ids = set(service.branches.values_list("id", flat=True))
    if service_branch_ids and branch.pk not in service_branch_ids:
        raise DomainError(_("This service is not provided in this branch."), field="service_id")
    if status is not None and status.is_system and not is_system_actor(actor):
        raise PermissionDenied(_("This status can only be set by the system."), field="status_id")
    taken = time_take(
        organization=organization, staff=staff, starts_at=starts_at, ends_at=ends_at, actor=actor
    )
    status = status or visit_status_default(organization)
    visit = Visit(
        organization=organization,
        kind=Visit.Kind.INDIVIDUAL,
        branch=branch,
        staff=staff,
        client=client,
        service=service,
        starts_at=starts_at,
        ends_at=ends_at,
        price=service.price if price is None else price,
        status=status,
        blocks_time=not status.is_cancellation,
        source=source,
        comment=strip_control(comment),
        capacity=1,
    )
    save_checked(visit)
    Attendance.objects.for_org(organization).create(
        organization=organization, visit=visit, client=client
    )
    if visit.blocks_time:
        taken(visit)
    audit_record(
        organization=organization,
        actor=actor,
        action="visit.create",
        obj=visit,
        changes={
            "client_id": client.pk,
            "staff_id": staff.pk,
            "service_id": service.pk,
            "branch_id": branch.pk,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "price": visit.price,
            "source": source,
        },
    )
    visit_id = visit.pk
    transaction.on_commit(lambda: hooks.run_after_visit_created(visit_id))
    return _annotate_warnings(visit, now)


@transaction.atomic
def visit_reschedule(
    *,
    visit: Visit,
    starts_at: datetime,
    actor: Actor,
    staff: User | None = None,
    duration_minutes: int | None = None,
    ends_at: datetime | None = None,
    now: datetime | None = None,
) -> Visit:
    """Move a visit (keeping its length unless a new end/duration is given)."""
    now = now or timezone.now()
    visit = locked_visit(visit)
    organization = visit.organization
    if not visit.blocks_time:
        raise Conflict(_("A cancelled visit cannot be moved."), field="starts_at")
    if staff is not None:
        same_org(organization, staff_id=staff)
        if not staff.is_active:
            raise DomainError(_("This specialist is not active."), field="staff_id")
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=organization_zone(organization))
    new_end = _visit_end(
        organization,
        starts_at,
        ends_at=ends_at,
        minutes=duration_minutes or visit.duration_minutes,
    )
    new_staff = staff or visit.staff
    taken = time_take(
        organization=organization,
        staff=new_staff,
        starts_at=starts_at,
        ends_at=new_end,
        actor=actor,
        room=visit.room,
        exclude_id=visit.pk,
    )
    vacated = hooks.VacatedTime(visit.pk, visit.staff_id, visit.starts_at, visit.ends_at)
    before = {"starts_at": visit.starts_at, "ends_at": visit.ends_at, "staff_id": visit.staff_id}
    visit.starts_at, visit.ends_at, visit.staff = starts_at, new_end, new_staff
    save_checked(visit, update_fields=["starts_at", "ends_at", "staff"])
    taken(visit)
    if (vacated.starts_at, vacated.staff_id) != (starts_at, new_staff.pk):
        # moved away: its old time is free, as a cancelled visit's (the waiting list offers
        # it on commit; a resize from the same start frees no whole time)
        hooks.time_vacated_on_commit([vacated])
    audit_record(
        organization=organization,
        actor=actor,
        action="visit.reschedule",
        obj=visit,
        changes=changes_between(
            {k: str(v) for k, v in before.items()},
            {"starts_at": str(starts_at), "ends_at": str(new_end), "staff_id": str(new_staff.pk)},
        ),
    )
    return _annotate_warnings(visit, now)


@transaction.atomic
def visit_update(
    *,
    visit: Visit,
    actor: Actor,
    price: int | None = None,
    comment: str | None = None,
    ends_at: datetime | None = None,
) -> Visit:
    """Edit a visit in place: its end (a longer or shorter visit from the same start, checked
    like a move), the price (e.g. a discount) and the comment. All or nothing."""
    visit = locked_visit(visit)
    if ends_at is not None:
        visit = visit_reschedule(
            visit=visit, starts_at=visit.starts_at, ends_at=ends_at, actor=actor
        )
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if price is not None:
        if price < 0:
            raise DomainError(_("The price cannot be negative."), field="price")
        before["price"], after["price"] = visit.price, price
        visit.price = price
    if comment is not None:
        comment = strip_control(comment)
        before["comment"], after["comment"] = visit.comment, comment
        visit.comment = comment
    if after:
        visit.save(update_fields=list(after))
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="visit.update",
        obj=visit,
        changes=changes_between(before, after),
    )
    return visit


@transaction.atomic
def visit_status_set(
    *,
    visit: Visit,
    status: VisitStatus,
    actor: Actor,
    now: datetime | None = None,
    options: dict[str, Any] | None = None,
) -> Visit:
    """Set a visit's status. System statuses only for system actors. On an appointment,
    a "came" status marks the client attended (consuming a membership visit or charging
    the price), a no-show marks absent, a cancellation cancels — and moving away undoes.
    The apps above react in the same transaction (`hooks.run_visit_status_handlers`, with
    `options`); what they did is `visit.status_effects`."""
    now = now or timezone.now()
    hooks.run_visit_status_locking(visit, status)  # what they lock comes before the visit
    visit = locked_visit(visit)
    organization = visit.organization
    if status.organization_id != organization.pk:
        raise NotFound(_("Unknown status."), field="status_id")
    if status.is_system and not is_system_actor(actor):
        raise PermissionDenied(
            _("The status “%(name)s” is set by the system only.") % {"name": status.display_name},
            field="status_id",
        )
    if not status.is_active:
        raise DomainError(_("This status is switched off."), field="status_id")
    before = visit.status
    if before.pk == status.pk:
        return visit
    status_move(visit, status, actor, now)
    if visit.kind == Visit.Kind.INDIVIDUAL:
        for attendance in Attendance.objects.for_org(organization).filter(visit=visit):
            attendance_apply(attendance, visit, attendance_state_for(status), actor, now)
    elif status.is_cancellation:
        for attendance in Attendance.objects.for_org(organization).filter(visit=visit):
            attendance_apply(attendance, visit, Attendance.State.CANCELLED, actor, now)
    visit.status_effects = status_moved_record(  # type: ignore[attr-defined]
        visit, before=before, actor=actor, now=now, options=options
    )
    return visit


def visit_cancel(
    *,
    visit: Visit,
    actor: Actor,
    status: VisitStatus | None = None,
    now: datetime | None = None,
    options: dict[str, Any] | None = None,
) -> Visit:
    """Cancel into `status` (default: the organization's first cancellation status). The
    prepayment app passes its system status with a system actor. A visit already cancelled
    is a 409 (nothing changes: its money was dealt with when it was cancelled)."""
    status = status or status_first(visit.organization, is_cancellation=True)
    if not status.is_cancellation:
        raise DomainError(_("Choose a cancellation status."), field="status_id")
    if not visit.blocks_time:
        raise Conflict(_("The visit is already cancelled."), field="status_id")
    return visit_status_set(visit=visit, status=status, actor=actor, now=now, options=options)


@transaction.atomic
def visit_booking_state_set(*, visit: Visit, state: str, actor: Actor) -> Visit:
    """The prepayment app's display hook: the clock in the calendar (grey/green/red)."""
    if state not in Visit.BookingState.values:
        raise DomainError(f"Unknown booking state {state!r}.", field="booking_state")
    before = visit.booking_state
    Visit.objects.for_org(visit.organization).filter(pk=visit.pk).update(booking_state=state)
    visit.booking_state = state
    audit_record(
        organization=visit.organization,
        actor=actor,
        action="visit.booking_state",
        obj=visit,
        changes={"booking_state": [before, state]},
    )
    return visit
