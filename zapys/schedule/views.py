"""Staff pages of the schedule (calendar, visit card, attendance, hours, settings) and the
public self-booking page. Views parse and authorise, then call one service."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.accounts.models import Branch, Organization, User
from zapys.accounts.selectors import accessible_branches, current_branch
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone, phone_search_digits
from zapys.clients.services import client_create, client_find_or_create
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.http import client_ip
from zapys.core.tenancy import org_scope, unscoped
from zapys.core.views import staff_required
from zapys.schedule import hooks, selectors, services
from zapys.schedule.forms import (
    HoursExceptionForm,
    LessonForm,
    PublicBookingForm,
    RescheduleForm,
    ScheduleSettingsForm,
    StatusForm,
    VisitForm,
    WeekHoursForm,
    parse_public_id,
    parse_slot,
)
from zapys.schedule.models import Attendance, HoursException, Visit, VisitStatus, WorkingHours

DAY_START_HOUR = 8
DAY_END_HOUR = 21
PX_PER_MINUTE = 1  # integers only: a localized "1,5" would be invalid CSS
SLOT_MINUTES = 30
CARD_TWO_LINES_PX = 40  # below: one line "09:00 Client · service" (a 30-minute visit)
CARD_FULL_PX = 64  # below: two lines (time and status; client · service)


def _actor(request: HttpRequest) -> Actor:
    return Actor.staff(request.user)  # type: ignore[arg-type]


def _org(request: HttpRequest) -> Organization:
    return request.user.organization  # type: ignore[union-attr,return-value]


def _branch(request: HttpRequest) -> Branch:
    branches = accessible_branches(request.user)  # type: ignore[arg-type]
    wanted = request.GET.get("branch")
    if wanted and wanted.isdigit():
        for b in branches:
            if b.pk == int(wanted):
                return b
    branch = current_branch(request, branches)
    if branch is None:
        raise Http404(_("No branch is available to you."))
    return branch


def _parse_date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _closed_modal(trigger: str = "calendarChanged") -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Trigger"] = trigger
    return response


# --- calendar ------------------------------------------------------------------------------


@staff_required()
def calendar(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    tz = services.org_tz(org)
    branch = _branch(request)
    today = timezone.now().astimezone(tz).date()
    day = _parse_date(request.GET.get("date"), today)
    view = "week" if request.GET.get("view") == "week" else "day"
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    n_days = 7 if view == "week" else 1
    staff_filter = None
    user: User = request.user  # type: ignore[assignment]
    if user.role == User.Role.SPECIALIST:
        staff_filter = [user.pk]  # a specialist sees their own calendar
    data = selectors.calendar_data(
        organization=org, branch=branch, first_day=first, days=n_days, staff_ids=staff_filter
    )
    ctx: dict[str, Any] = {
        "branch": branch,
        "view": view,
        "day": day,
        "first": first,
        "today": today,
        "prev": (first - timedelta(days=n_days)).isoformat(),
        "next": (first + timedelta(days=n_days)).isoformat(),
        "days": data.days,
    }
    if view == "day":
        ctx.update(_day_grid(data, day, tz))
    else:
        ctx["rows"] = _week_rows(data, tz)
    template = "schedule/_calendar.html" if request.htmx else "schedule/calendar.html"  # type: ignore[attr-defined]
    return render(request, template, ctx)


def _day_grid(data: selectors.CalendarData, day: date, tz: Any) -> dict[str, Any]:
    start_hour, end_hour = DAY_START_HOUR, DAY_END_HOUR
    for intervals in data.hours.values():
        for s, e in intervals:
            start_hour = min(start_hour, s.hour)
            end_hour = max(end_hour, e.hour + (1 if e.minute else 0))
    for v in data.visits:
        local_s, local_e = v.starts_at.astimezone(tz), v.ends_at.astimezone(tz)
        start_hour = min(start_hour, local_s.hour if local_s.date() == day else 0)
        end_hour = max(end_hour, local_e.hour + 1 if local_e.date() == day else 24)
    end_hour = min(end_hour, 24)
    origin = datetime.combine(day, time(start_hour), tz)
    total = (end_hour - start_hour) * 60
    by_staff: dict[int, list[dict]] = {s.pk: [] for s in data.staff}
    for v in data.visits:
        top = max(0, (v.starts_at - origin).total_seconds() / 60)
        bottom = min(total, (v.ends_at - origin).total_seconds() / 60)
        height = round(max(18, (bottom - top) * PX_PER_MINUTE - 2))
        by_staff.setdefault(v.staff_id, []).append(
            {
                "visit": v,
                "top": round(top * PX_PER_MINUTE),
                "height": height,
                # a card too low for three lines keeps the client's name on the time's line
                "size": "xs"
                if height < CARD_TWO_LINES_PX
                else "sm"
                if height < CARD_FULL_PX
                else "",
            }
        )
    columns = []
    for person in data.staff:
        working = []
        for ws, we in data.hours.get((person.pk, day), []):
            top = max(0, (ws - origin).total_seconds() / 60)
            bottom = min(total, (we - origin).total_seconds() / 60)
            working.append(
                {"top": round(top * PX_PER_MINUTE), "height": round((bottom - top) * PX_PER_MINUTE)}
            )
        slots = [
            {
                "top": m * PX_PER_MINUTE,
                "at": (origin + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M"),
            }
            for m in range(0, total, SLOT_MINUTES)
        ]
        columns.append(
            {
                "staff": person,
                "visits": by_staff.get(person.pk, []),
                "working": working,
                "slots": slots,
            }
        )
    hours = [
        {"label": f"{h:02d}:00", "top": (h - start_hour) * 60 * PX_PER_MINUTE}
        for h in range(start_hour, end_hour)
    ]
    return {
        "columns": columns,
        "hour_marks": hours,
        "grid_height": total * PX_PER_MINUTE,
        "slot_height": SLOT_MINUTES * PX_PER_MINUTE,
    }


def _week_rows(data: selectors.CalendarData, tz: Any) -> list[dict]:
    cells: dict[tuple[int, date], list[Visit]] = {}
    for v in data.visits:
        cells.setdefault((v.staff_id, v.starts_at.astimezone(tz).date()), []).append(v)
    return [
        {
            "staff": s,
            "cells": [
                {
                    "day": d,
                    "visits": cells.get((s.pk, d), []),
                    "working": bool(data.hours.get((s.pk, d))),
                    "new_at": f"{d.isoformat()}T"
                    + (
                        data.hours[(s.pk, d)][0][0].strftime("%H:%M")
                        if data.hours.get((s.pk, d))
                        else "10:00"
                    ),
                }
                for d in data.days
            ],
        }
        for s in data.staff
    ]


def _staff_qs(org: Organization, branch: Branch) -> Any:
    return User.objects.for_org(org).filter(is_active=True).order_by("first_name", "last_name")


@staff_required()
def visit_new(request: HttpRequest) -> HttpResponse:
    """The quick-create modal (opened from an empty calendar slot)."""
    org = _org(request)
    branch = _branch(request)
    initial: dict[str, Any] = {}
    if request.GET.get("staff", "").isdigit():
        initial["staff"] = int(request.GET["staff"])
    if request.GET.get("at"):
        initial["starts_at"] = request.GET["at"]
    form = VisitForm(
        request.POST or None,
        initial=initial,
        organization=org,
        staff_qs=_staff_qs(org, branch),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = data["client"]
            if client is None:
                phone = normalize_phone(
                    data.get("new_client_phone") or "", field="new_client_phone"
                )
                if phone:
                    client, _created = client_find_or_create(
                        organization=org,
                        name=data["new_client_name"].strip(),
                        phone=phone,
                        actor=_actor(request),
                    )
                else:
                    client = client_create(
                        organization=org, name=data["new_client_name"], actor=_actor(request)
                    )
            price = data.get("price")
            starts_at = data["starts_at"]
            if timezone.is_naive(starts_at):
                starts_at = starts_at.replace(tzinfo=services.org_tz(org))
            else:
                starts_at = timezone.make_naive(starts_at, timezone.get_current_timezone()).replace(
                    tzinfo=services.org_tz(org)
                )
            visit = services.visit_create(
                organization=org,
                client=client,
                staff=data["staff"],
                service=data["service"],
                branch=branch,
                starts_at=starts_at,
                price=int(price * 100) if isinstance(price, Decimal) else None,
                comment=data.get("comment") or "",
                actor=_actor(request),
            )
        except DomainError as exc:
            field = exc.errors[0]["field"] if exc.errors else None
            field = {
                "starts_at": "starts_at",
                "staff_id": "staff",
                "service_id": "service",
                "client_id": "client",
                "new_client_phone": "new_client_phone",
                "phone": "new_client_phone",
                "name": "new_client_name",
            }.get(field or "")
            form.add_error(field, exc.detail)
        else:
            if getattr(visit, "in_past", False):
                # Say so where the person is looking: the dialog turns into the new visit's
                # card with the warning (a message queued for the next page would surface
                # later, out of context).
                local_start = visit.starts_at.astimezone(services.org_tz(org))
                messages.warning(
                    request,
                    _("The visit is created, but note: it starts in the past (%(when)s).")
                    % {"when": f"{local_start:%d.%m.%Y %H:%M}"},
                )
                if request.htmx:  # type: ignore[attr-defined]
                    response = visit_detail(request, visit.pk)
                    response["HX-Trigger-After-Swap"] = "calendarChanged"
                    return response
            if request.htmx:  # type: ignore[attr-defined]
                return _closed_modal()
            local_day = visit.starts_at.astimezone(services.org_tz(org)).date()
            return redirect(f"{reverse('schedule:calendar')}?date={local_day}")
    return render(
        request,
        "schedule/_visit_form.html" if request.htmx else "schedule/visit_form_page.html",  # type: ignore[attr-defined]
        {"form": form, "branch": branch},
    )


@staff_required()
def client_search(request: HttpRequest) -> HttpResponse:
    """The new-visit dialog's client picker: at most CLIENT_PICKER_LIMIT matches of the
    staff member's organization (htmx partial), plus "create a new client" with the text."""

    query = " ".join((request.GET.get("client_q") or request.GET.get("q") or "").split())[:100]
    found = selectors.client_picker(search=query)
    limit = selectors.CLIENT_PICKER_LIMIT
    looks_like_phone = len(phone_search_digits(query)) >= 5
    return render(
        request,
        "schedule/_client_options.html",
        {
            "query": query,
            "clients": found[:limit],
            "more": len(found) > limit,
            "new_name": "" if looks_like_phone or "@" in query else query,
            "new_phone": query if looks_like_phone else "",
        },
    )


def _visit_for(request: HttpRequest, visit_id: int) -> Visit:
    visit = get_object_or_404(
        Visit.objects.for_org(_org(request)).select_related(
            "status", "client", "service", "staff", "branch", "group", "room", "organization"
        ),
        pk=visit_id,
    )
    user: User = request.user  # type: ignore[assignment]
    if user.role == User.Role.SPECIALIST and visit.staff_id != user.pk:
        raise Http404
    return visit


@staff_required()
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit_for(request, visit_id)
    statuses = [
        s
        for s in services.visit_statuses_ensure(organization=_org(request)).values()
        if not s.is_system and s.is_active
    ]
    statuses.sort(key=lambda s: (s.order, s.pk))
    attendances = list(visit.attendances.select_related("client"))
    form = RescheduleForm(
        initial={
            "starts_at": visit.starts_at.astimezone(services.org_tz(visit.organization)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "staff": visit.staff_id,
        },
        staff_qs=_staff_qs(_org(request), visit.branch),
    )
    return render(
        request,
        "schedule/_visit_card.html" if request.htmx else "schedule/visit_page.html",  # type: ignore[attr-defined]
        {
            "visit": visit,
            "in_past": visit.starts_at < timezone.now(),
            "statuses": statuses,
            "attendances": attendances,
            "form": form,
            "states": Attendance.State.choices,
        },
    )


def _after_action(request: HttpRequest, visit: Visit) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        response = visit_detail(request, visit.pk)
        response["HX-Trigger"] = "calendarChanged"
        return response
    return redirect("schedule:visit_detail", visit_id=visit.pk)


def _error_response(request: HttpRequest, visit: Visit, exc: DomainError) -> HttpResponse:
    messages.error(request, exc.detail)
    if request.htmx:  # type: ignore[attr-defined]
        response = visit_detail(request, visit.pk)
        return response
    return redirect("schedule:visit_detail", visit_id=visit.pk)


@staff_required()
@require_POST
def visit_status(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit_for(request, visit_id)
    status = (
        VisitStatus.objects.for_org(_org(request))
        .filter(pk=request.POST.get("status_id") or 0)
        .first()
    )
    try:
        if status is None:
            raise DomainError(_("Unknown status."), field="status_id")
        services.visit_status_set(visit=visit, status=status, actor=_actor(request))
    except DomainError as exc:
        return _error_response(request, visit, exc)
    return _after_action(request, visit)


@staff_required()
@require_POST
def visit_cancel(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit_for(request, visit_id)
    try:
        services.visit_cancel(visit=visit, actor=_actor(request))
    except DomainError as exc:
        return _error_response(request, visit, exc)
    return _after_action(request, visit)


@staff_required()
@require_POST
def visit_reschedule(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = _visit_for(request, visit_id)
    form = RescheduleForm(request.POST, staff_qs=_staff_qs(_org(request), visit.branch))
    try:
        if not form.is_valid():
            raise DomainError(_("Enter a valid date and time."), field="starts_at")
        starts_at = form.cleaned_data["starts_at"]
        starts_at = timezone.make_naive(starts_at, timezone.get_current_timezone()).replace(
            tzinfo=services.org_tz(visit.organization)
        )
        services.visit_reschedule(
            visit=visit,
            starts_at=starts_at,
            staff=form.cleaned_data.get("staff"),
            actor=_actor(request),
        )
    except DomainError as exc:
        return _error_response(request, visit, exc)
    return _after_action(request, visit)


@staff_required()
@require_POST
def attendance_set(request: HttpRequest, attendance_id: int) -> HttpResponse:
    attendance = get_object_or_404(
        Attendance.objects.for_org(_org(request)).select_related("visit"), pk=attendance_id
    )
    visit = _visit_for(request, attendance.visit_id)
    try:
        services.attendance_mark(
            attendance=attendance, state=request.POST.get("state", ""), actor=_actor(request)
        )
    except DomainError as exc:
        return _error_response(request, visit, exc)
    if request.POST.get("from") == "journal":
        return redirect(f"{reverse('schedule:journal')}?date={request.POST.get('date', '')}")
    return _after_action(request, visit)


@staff_required()
def journal(request: HttpRequest) -> HttpResponse:
    """Attendance journal of one day in the branch: every visit and lesson with its
    participants and mark buttons."""
    org = _org(request)
    tz = services.org_tz(org)
    branch = _branch(request)
    day = _parse_date(request.GET.get("date"), timezone.now().astimezone(tz).date())
    start = datetime.combine(day, time.min, tz)
    visits = list(
        selectors.calendar_visits(
            organization=org, branch=branch, start=start, end=start + timedelta(days=1)
        )
        .prefetch_related("attendances__client")
        .select_related("staff")
    )
    user: User = request.user  # type: ignore[assignment]
    if user.role == User.Role.SPECIALIST:
        visits = [v for v in visits if v.staff_id == user.pk]
    return render(
        request,
        "schedule/journal.html",
        {
            "visits": visits,
            "day": day,
            "branch": branch,
            "prev": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
            "states": Attendance.State.choices,
        },
    )


@staff_required()
def lesson_new(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    branch = _branch(request)
    form = LessonForm(request.POST or None, organization=org, branch=branch)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        starts_at = timezone.make_naive(d["starts_at"], timezone.get_current_timezone()).replace(
            tzinfo=services.org_tz(org)
        )
        try:
            lessons = services.lesson_create(
                organization=org,
                branch=branch,
                staff=d["staff"],
                starts_at=starts_at,
                duration_minutes=d["duration_minutes"],
                group=d.get("group"),
                subject=d.get("subject"),
                room=d.get("room"),
                capacity=d.get("capacity"),
                repeat_until=d.get("repeat_until"),
                actor=_actor(request),
            )
        except DomainError as exc:
            field = (exc.errors[0]["field"] if exc.errors else "") or ""
            field = field.removesuffix("_id")
            form.add_error(field if field in form.fields else None, exc.detail)
        else:
            messages.success(request, _("%(n)s lessons created.") % {"n": len(lessons)})
            return redirect(f"{reverse('schedule:calendar')}?date={starts_at.date()}")
    return render(request, "schedule/lesson_form.html", {"form": form, "branch": branch})


@staff_required()
def client_visits(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's "Visits" tab (htmx partial), filtered by period."""
    org = _org(request)
    client = get_object_or_404(Client.objects.for_org(org), pk=client_id)
    date_from = (
        _parse_date(request.GET.get("date_from"), date.min)
        if request.GET.get("date_from")
        else None
    )
    date_to = (
        _parse_date(request.GET.get("date_to"), date.max) if request.GET.get("date_to") else None
    )
    rows = list(
        selectors.client_attendances(
            organization=org, client_id=client.pk, date_from=date_from, date_to=date_to
        )[:200]
    )
    return render(
        request,
        "schedule/_client_visits.html",
        {
            "client": client,
            "rows": rows,
            "date_from": request.GET.get("date_from", ""),
            "date_to": request.GET.get("date_to", ""),
        },
    )


# --- staff hours -------------------------------------------------------------------------


@staff_required("owner", "administrator")
def staff_hours(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    branch = _branch(request)
    staff = list(selectors.calendar_staff(organization=org, branch=branch))
    hours: dict[int, list[WorkingHours]] = {}
    for h in WorkingHours.objects.for_org(org).filter(branch=branch):
        hours.setdefault(h.staff_id, []).append(h)
    rows = [{"staff": s, "hours": hours.get(s.pk, [])} for s in staff]
    return render(request, "schedule/staff_hours.html", {"rows": rows, "branch": branch})


@staff_required("owner", "administrator")
def staff_hours_edit(request: HttpRequest, staff_id: int) -> HttpResponse:
    org = _org(request)
    branch = _branch(request)
    staff = get_object_or_404(User.objects.for_org(org), pk=staff_id)
    current = WorkingHours.objects.for_org(org).filter(staff=staff, branch=branch)
    initial: dict[str, str] = {}
    for h in current:
        key = f"day{h.weekday}"
        text = f"{h.start:%H:%M}-{h.end:%H:%M}"
        initial[key] = f"{initial[key]}, {text}" if key in initial else text
    week_form = WeekHoursForm(
        request.POST if request.POST.get("form") == "week" else None, initial=initial
    )
    exc_form = HoursExceptionForm(request.POST if request.POST.get("form") == "exception" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "week" and week_form.is_valid():
                intervals = week_form.intervals()
                if not week_form.errors:
                    services.staff_hours_set(
                        staff=staff, branch=branch, intervals=intervals, actor=_actor(request)
                    )
                    messages.success(request, _("Working hours saved."))
                    return redirect("schedule:staff_hours_edit", staff_id=staff.pk)
            elif request.POST.get("form") == "exception" and exc_form.is_valid():
                d = exc_form.cleaned_data
                services.hours_exception_create(
                    staff=staff,
                    branch=branch,
                    on_date=d["date"],
                    kind=d["kind"],
                    start=d.get("start"),
                    end=d.get("end"),
                    note=d.get("note") or "",
                    actor=_actor(request),
                )
                messages.success(request, _("Exception added."))
                return redirect("schedule:staff_hours_edit", staff_id=staff.pk)
            elif request.POST.get("form") == "delete_exception":
                exc_obj = get_object_or_404(
                    HoursException.objects.for_org(org),
                    pk=request.POST.get("id") or 0,
                    staff=staff,
                )
                services.hours_exception_delete(exception=exc_obj, actor=_actor(request))
                return redirect("schedule:staff_hours_edit", staff_id=staff.pk)
        except DomainError as exc:
            target = week_form if request.POST.get("form") == "week" else exc_form
            target.add_error(None, exc.detail)
    exceptions = HoursException.objects.for_org(org).filter(
        staff=staff, branch=branch, date__gte=timezone.localdate() - timedelta(days=7)
    )
    return render(
        request,
        "schedule/staff_hours_edit.html",
        {
            "staff": staff,
            "branch": branch,
            "week_form": week_form,
            "exc_form": exc_form,
            "exceptions": exceptions,
        },
    )


# --- settings ----------------------------------------------------------------------------


@staff_required("owner")
def schedule_settings(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    obj = services.schedule_settings_for(org)
    form = ScheduleSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None, instance=obj
    )
    status_form = StatusForm(request.POST if request.POST.get("form") == "status" else None)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "settings" and form.is_valid():
                services.schedule_settings_update(
                    organization=org,
                    actor=_actor(request),
                    **{k: form.cleaned_data[k] for k in form.changed_data},
                )
                messages.success(request, _("Settings saved."))
                return redirect("schedule:settings")
            if request.POST.get("form") == "status" and status_form.is_valid():
                d = status_form.cleaned_data
                services.visit_status_create(
                    organization=org,
                    name=d["name"],
                    color=d["color"],
                    order=d["order"],
                    counts_as_came=d["meaning"] == "came",
                    is_no_show=d["meaning"] == "no_show",
                    is_cancellation=d["meaning"] == "cancel",
                    actor=_actor(request),
                )
                messages.success(request, _("Status added."))
                return redirect("schedule:settings")
        except DomainError as exc:
            target = status_form if request.POST.get("form") == "status" else form
            field = next((e["field"] for e in exc.errors if e["field"] in target.fields), None)
            target.add_error(field, exc.detail)
    statuses = sorted(
        services.visit_statuses_ensure(organization=org).values(), key=lambda s: (s.order, s.pk)
    )
    return render(
        request,
        "schedule/settings.html",
        {"form": form, "status_form": status_form, "statuses": statuses},
    )


# --- public self-booking -----------------------------------------------------------------


def book(request: HttpRequest, org_slug: str, branch_id: int | None = None) -> HttpResponse:
    """Public booking: service → specialist (or any) → day → free slot → name/phone."""
    with unscoped():
        org = Organization.objects.filter(slug=org_slug).first()
    if org is None:
        raise Http404
    # Times on the page (slots, the chosen one) read in the organization's zone, whatever
    # the server's: templates render datetimes in the current time zone.
    with org_scope(org), timezone.override(services.org_tz(org)):
        return _book(request, org, branch_id)


def _book(request: HttpRequest, org: Organization, branch_id: int | None) -> HttpResponse:
    settings = services.schedule_settings_for(org)
    tz = services.org_tz(org)
    now = timezone.now()
    branch = None
    if branch_id is not None:
        # The URL's <int:...> takes any number of digits; past bigint the lookup itself fails.
        if parse_public_id(str(branch_id)) is None:
            raise Http404
        branch = get_object_or_404(Branch.objects.for_org(org), pk=branch_id, is_active=True)
    base_url = (
        reverse("schedule:book_branch", args=[org.slug, branch.pk])
        if branch
        else reverse("schedule:book", args=[org.slug])
    )
    ctx: dict[str, Any] = {
        "organization": org,
        "branch": branch,
        "base_url": base_url,
        "enabled": settings.online_booking_enabled,
    }
    services_qs = Service.objects.for_org(org).filter(is_active=True, online_booking=True)
    if branch is not None:
        services_qs = services_qs.filter(branches=branch)
    ctx["services"] = list(services_qs)
    service_id = parse_public_id(request.GET.get("service"))
    service = next((s for s in ctx["services"] if s.pk == service_id), None)
    ctx["service"] = service
    if service is None or not settings.online_booking_enabled:
        return render(request, "schedule/public/book.html", ctx)
    today = now.astimezone(tz).date()
    day = _parse_date(request.GET.get("date"), today)
    day = min(max(day, today), today + timedelta(days=settings.online_days_ahead))
    staff_param = request.GET.get("staff", "")
    staff_id = parse_public_id(staff_param)
    staff_ids = [staff_id] if staff_id is not None else None
    # Specialists who work this service at all (any day in the window): for the picker.
    horizon = selectors.free_slots(
        organization=org,
        service=service,
        date_from=today,
        date_to=today + timedelta(days=min(settings.online_days_ahead, 14)),
        branch=branch,
        now=now,
        online=True,
        settings=settings,
    )
    ids = sorted({s.staff_id for s in horizon})
    ctx["specialists"] = list(User.objects.for_org(org).filter(pk__in=ids))
    ctx["staff_param"] = staff_param
    ctx["days"] = [today + timedelta(days=i) for i in range(min(settings.online_days_ahead, 14))]
    ctx["day"] = day
    if not staff_param:
        return render(request, "schedule/public/book.html", ctx)
    slots = [
        s
        for s in horizon
        if s.start.astimezone(tz).date() == day and (staff_ids is None or s.staff_id in staff_ids)
    ]
    seen: set[datetime] = set()
    unique = []
    for s in slots:  # "any specialist": one button per time
        if s.start not in seen:
            seen.add(s.start)
            unique.append(
                {"start": s.start.astimezone(tz), "value": s.start.astimezone(tz).isoformat()}
            )
    ctx["slots"] = unique
    chosen = request.POST.get("slot") or request.GET.get("slot")
    if not chosen:
        return render(request, "schedule/public/book.html", ctx)
    starts_at = parse_slot(chosen)
    if starts_at is None:
        # An edited or stale address: the day's times again, with a sentence, not an error page.
        ctx["slot_error"] = _("This time cannot be booked. Please choose one of the times below.")
        return render(request, "schedule/public/book.html", ctx, status=400)
    ctx["slot"] = chosen
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=tz)
    ctx["slot_dt"] = starts_at.astimezone(tz)
    form = PublicBookingForm(request.POST or None)
    ctx["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.online_booking_create(
                organization=org,
                service=service,
                staff=User.objects.for_org(org).filter(pk=staff_ids[0]).first()
                if staff_ids
                else None,
                branch=branch,
                starts_at=starts_at,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                consent=form.cleaned_data["consent"],
                ip=client_ip(request),
                now=now,
            )
        except DomainError as exc:
            field = (exc.errors[0]["field"] if exc.errors else "") or None
            form.add_error(field if field in form.fields else None, exc.detail)
            status = 429 if exc.status == 429 else 200
            return render(request, "schedule/public/book.html", ctx, status=status)
        token = signing.dumps(visit.pk, salt="schedule.book")
        return redirect("schedule:book_done", org_slug=org.slug, token=token)
    return render(request, "schedule/public/book.html", ctx)


def book_done(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    try:
        visit_id = signing.loads(token, salt="schedule.book", max_age=60 * 60 * 24)
    except signing.BadSignature:
        raise Http404 from None
    with unscoped():
        visit = (
            Visit.objects.select_related("organization", "service", "staff", "branch", "status")
            .filter(pk=visit_id, organization__slug=org_slug)
            .first()
        )
    if visit is None:
        raise Http404
    tz = services.org_tz(visit.organization)
    with org_scope(visit.organization), timezone.override(tz):
        return render(
            request,
            "schedule/public/done.html",
            {
                "visit": visit,
                "organization": visit.organization,
                "start": visit.starts_at.astimezone(tz),
                "cancelled": visit.status.is_cancellation,
                "prepayment": None if visit.status.is_cancellation else _prepayment_for(visit, tz),
            },
        )


def _prepayment_for(visit: Visit, tz: Any) -> dict[str, Any] | None:
    """The visit's paid booking as the client should see it, through the prepayment app's
    hook (`hooks.bookings_for`): None when that app is absent, off, or asked for nothing.
    The deadline is shown in the organization's time zone, not the server's."""
    booking = hooks.bookings_for([visit]).get(visit.pk)
    if not booking:
        return None
    expires_at = booking.get("expires_at")
    if isinstance(expires_at, str):
        expires_at = datetime.fromisoformat(expires_at)
    if not isinstance(expires_at, datetime):
        return None
    status = booking.get("status")
    if status == "pending" and expires_at > timezone.now():
        state = "awaiting"
    elif status == "paid":
        state = "paid"
    elif status in ("pending", "expired"):
        state = "expired"  # a pending one past its deadline: the sweep has not run yet
    else:
        return None  # cancelled by staff, refunded: the visit's own status tells the rest
    return {**booking, "state": state, "expires_at": expires_at.astimezone(tz)}
