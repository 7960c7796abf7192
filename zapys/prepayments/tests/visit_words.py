"""What a visit is called in a booking's texts, spelled out by hand for the tests (not by
the code under test): «Haircut 7, 7 грудня о 15:00» / "Haircut 7, 7 December at 15:00",
the organization's clock, the year only when it is not this one."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.months import MONTHS
from zapys.schedule.models import Visit

UK_MONTHS, EN_MONTHS = MONTHS["uk"], MONTHS["en"]


def visit_words(visit: Visit, language: str, what: str | None = None) -> str:
    visit = Visit.objects.select_related("service", "organization").get(pk=visit.pk)
    local = visit.starts_at.astimezone(ZoneInfo(visit.organization.time_zone))
    year = "" if local.year == timezone.localdate().year else f" {local.year}"
    what = what or (visit.service.name if visit.service else "")
    if language == "uk":
        return f"{what}, {local.day} {UK_MONTHS[local.month - 1]}{year} о {local:%H:%M}"
    return f"{what}, {local.day} {EN_MONTHS[local.month - 1]}{year} at {local:%H:%M}"
