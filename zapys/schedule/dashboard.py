"""Dashboard cards of the schedule: today's visits at a glance."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.dashboard import dashboard_branch
from zapys.core.http import request_organization
from zapys.core.tenancy import organization_zone
from zapys.schedule.models import Visit


def today_bounds(organization) -> tuple[datetime, datetime]:  # type: ignore[no-untyped-def]
    """Start and end of today in the organization's time zone."""
    tz = organization_zone(organization)
    start = datetime.combine(timezone.now().astimezone(tz).date(), time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def widgets(request: HttpRequest) -> list[dict]:
    organization = request_organization(request)
    start, end = today_bounds(organization)
    # The branch the header shows, as the calendar the card links to (issue 17: "20 visits"
    # led to a calendar of 13).
    visits = Visit.objects.filter(starts_at__gte=start, starts_at__lt=end)
    branch = dashboard_branch(request)
    if branch is not None:
        visits = visits.filter(branch=branch)
    counts = visits.aggregate(
        planned=Count("id", filter=Q(blocks_time=True)),
        came=Count("id", filter=Q(blocks_time=True, status__counts_as_came=True)),
    )
    return [
        {
            "title": _("Visits today"),
            "value": counts["planned"],
            "icon": "calendar-check",
            "order": 10,
            "url": reverse("schedule:calendar"),
            "hint": _("%(n)s attended") % {"n": counts["came"]},
        }
    ]
