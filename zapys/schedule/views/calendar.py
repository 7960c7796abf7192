"""The calendar: a day grid of specialists' columns, or a week of rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zapys.accounts.models import User
from zapys.core.http import request_branch, request_organization
from zapys.core.tenancy import organization_zone
from zapys.core.views import staff_required
from zapys.schedule import selectors
from zapys.schedule.models import Visit
from zapys.schedule.views.common import (
    parse_date,
)

DAY_START_HOUR = 8
DAY_END_HOUR = 21
PX_PER_MINUTE = 1  # integers only: a localized "1,5" would be invalid CSS
SLOT_MINUTES = 30
CARD_TWO_LINES_PX = 40  # below: one line "09:00 Client · service" (a 30-minute visit)
CARD_FULL_PX = 64  # below: two lines (time and status; client · service)


@staff_required()
def calendar(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    tz = organization_zone(org)
    branch = request_branch(request, required=True)
    today = timezone.now().astimezone(tz).date()
    day = parse_date(request.GET.get("date"), today)
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
    _mark_outside_hours(data, tz)
    if view == "day":
        ctx.update(_day_grid(data, day, tz))
    else:
        ctx["rows"] = _week_rows(data, tz)
    template = "schedule/_calendar.html" if request.htmx else "schedule/calendar.html"  # type: ignore[attr-defined]
    return render(request, template, ctx)


def _mark_outside_hours(data: selectors.CalendarData, tz: Any) -> None:
    """`visit.outside_hours` for the marker on its card: a visit taking time outside its
    specialist's working hours of that day (the grey part of their column), when they have
    hours set in this branch at all (`selectors.visit_hours_warning` says the same in words).
    No query: the hours and the staff's `has_hours` are what the calendar read already."""
    has_hours = {s.pk for s in data.staff if getattr(s, "has_hours", False)}
    for v in data.visits:
        start, end = v.starts_at.astimezone(tz), v.ends_at.astimezone(tz)
        v.outside_hours = (  # type: ignore[attr-defined]
            v.blocks_time
            and v.staff_id in has_hours
            and selectors.outside_hours(start, end, data.hours.get((v.staff_id, start.date()), []))
        )


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
