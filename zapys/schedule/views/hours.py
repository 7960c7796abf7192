"""Specialists' working hours: the list and one person's week and exceptions."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from zapys.accounts.models import User
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_branch, request_organization
from zapys.core.views import staff_required
from zapys.schedule import selectors, services
from zapys.schedule.forms import (
    HoursExceptionForm,
    WeekHoursForm,
)
from zapys.schedule.models import HoursException, WorkingHours


@staff_required("owner", "administrator")
def staff_hours(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    branch = request_branch(request, required=True)
    staff = list(selectors.calendar_staff(organization=org, branch=branch))
    hours: dict[int, list[WorkingHours]] = {}
    for h in WorkingHours.objects.for_org(org).filter(branch=branch):
        hours.setdefault(h.staff_id, []).append(h)
    rows = [{"staff": s, "days": _week_days(hours.get(s.pk, []))} for s in staff]
    return render(request, "schedule/staff_hours.html", {"rows": rows, "branch": branch})


def _week_days(hours: list[WorkingHours]) -> list[dict[str, str]]:
    """The seven days, Monday first: a working day's short name and its intervals together
    ("Mon 09:00–13:00, 14:00–18:00", so a split day reads as one day); a day without hours
    says "day off" (a week row that stopped at Saturday left Sunday unexplained). No hours
    at all: nothing, the page says "Not set"."""
    by_day: dict[int, list[str]] = {}
    for h in sorted(hours, key=lambda h: (h.weekday, h.start)):
        by_day.setdefault(h.weekday, []).append(f"{h.start:%H:%M}–{h.end:%H:%M}")
    if not by_day:
        return []
    return [
        {"day": str(WEEKDAYS_ABBR[day]), "intervals": ", ".join(by_day.get(day, []))}
        for day in range(7)
    ]


@staff_required("owner", "administrator")
def staff_hours_edit(request: HttpRequest, staff_id: int) -> HttpResponse:
    org = request_organization(request)
    branch = request_branch(request, required=True)
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
                        staff=staff,
                        branch=branch,
                        intervals=intervals,
                        actor=request_actor(request),
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
                    actor=request_actor(request),
                )
                messages.success(request, _("Exception added."))
                return redirect("schedule:staff_hours_edit", staff_id=staff.pk)
            elif request.POST.get("form") == "delete_exception":
                exc_obj = get_object_or_404(
                    HoursException.objects.for_org(org),
                    pk=request.POST.get("id") or 0,
                    staff=staff,
                )
                services.hours_exception_delete(exception=exc_obj, actor=request_actor(request))
                return redirect("schedule:staff_hours_edit", staff_id=staff.pk)
        except DomainError as exc:
            target = week_form if request.POST.get("form") == "week" else exc_form
            form_add_domain_error(target, exc)
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
