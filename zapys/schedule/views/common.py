"""What the schedule's staff pages share: reading a date from the address, the visit a staff
member may open, the specialists to choose from, the time typed into a form."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zapys.accounts.models import Branch, Organization, User
from zapys.core.http import request_organization
from zapys.core.tenancy import organization_zone
from zapys.schedule.models import Visit


def parse_date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def closed_modal(trigger: str = "calendarChanged") -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Trigger"] = trigger
    return response


def staff_choices(org: Organization, branch: Branch) -> Any:
    return User.objects.for_org(org).filter(is_active=True).order_by("first_name", "last_name")


def visit_for(request: HttpRequest, visit_id: int) -> Visit:
    visit = get_object_or_404(
        Visit.objects.for_org(request_organization(request)).select_related(
            "status", "client", "service", "staff", "branch", "group", "room", "organization"
        ),
        pk=visit_id,
    )
    user: User = request.user  # type: ignore[assignment]
    if user.role == User.Role.SPECIALIST and visit.staff_id != user.pk:
        raise Http404
    return visit


def as_org_time(value: datetime, organization: Organization) -> datetime:
    """The wall-clock time a staff member typed, read in the organization's zone (a form
    field gives it in the request's current zone, or naive)."""
    if timezone.is_aware(value):
        value = timezone.make_naive(value, timezone.get_current_timezone())
    return value.replace(tzinfo=organization_zone(organization))
