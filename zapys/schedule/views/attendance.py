"""The visits of a day (the attendance page), and the client card's "Visits" tab."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zapys.accounts.models import User
from zapys.clients.selectors import client_or_404
from zapys.core.filter_forms import PeriodForm, filter_dates
from zapys.core.fragments import fragment_of
from zapys.core.http import request_branch, request_organization
from zapys.core.tenancy import organization_zone
from zapys.core.views import staff_required
from zapys.schedule import selectors
from zapys.schedule.actions import attendance_actions_for
from zapys.schedule.views.common import (
    parse_date,
)


@staff_required()
def journal(request: HttpRequest) -> HttpResponse:
    """The visits of one day in the branch ("Visits of the day"): every visit and lesson
    with its participants and the buttons that mark them."""
    org = request_organization(request)
    tz = organization_zone(org)
    branch = request_branch(request, required=True)
    day = parse_date(request.GET.get("date"), timezone.now().astimezone(tz).date())
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
    # a day ahead takes no «прийшов» / «не прийшов» yet (`services.attendance.marks_open`)
    marks_open = day <= timezone.now().astimezone(tz).date()
    for visit in visits:
        # each client's row offers only the marks the service accepts (a cancelled visit:
        # none but "cancelled"), from the rows already read
        visit.journal_rows = [  # type: ignore[attr-defined]
            (attendance, attendance_actions_for(visit, attendance, marks_open=marks_open))
            for attendance in visit.attendances.all()
        ]
    return render(
        request,
        "schedule/journal.html",
        {
            "visits": visits,
            "day": day,
            "branch": branch,
            "prev": (day - timedelta(days=1)).isoformat(),
            "next": (day + timedelta(days=1)).isoformat(),
        },
    )


@staff_required()
@fragment_of("clients:detail", tab="visits")
def client_visits(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's "Visits" tab (htmx partial), filtered by period."""
    org = request_organization(request)
    # The card of a deleted client still opens (its history stays readable), so does this tab.
    client = client_or_404(client_id, include_deleted=True)
    period, dates = filter_dates(PeriodForm, request.GET, {"date_from": None, "date_to": None})
    date_from, date_to = dates["date_from"], dates["date_to"]
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
            "period": period,
        },
    )
