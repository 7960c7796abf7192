"""Builders for the catalogue and the schedule (through the services, as in real use)."""

from __future__ import annotations

import itertools
from datetime import datetime, time

from tests.factories import make_staff
from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.catalog.services import service_create
from zapys.clients.models import Client
from zapys.core.audit import Actor
from zapys.core.tenancy import organization_zone
from zapys.schedule import services as schedule
from zapys.schedule.models import Visit

SYSTEM = Actor.system("tests")
_seq = itertools.count(1)
WEEKDAYS_9_TO_18 = [(d, time(9), time(18)) for d in range(7)]


def make_service(
    org: Organization,
    name: str | None = None,
    *,
    duration_minutes: int = 60,
    price: int = 50000,
    branches: list[Branch] | None = None,
    **fields,
) -> Service:
    return service_create(
        organization=org,
        name=name or f"Service {next(_seq)}",
        duration_minutes=duration_minutes,
        price=price,
        branch_ids=[b.pk for b in branches] if branches is not None else None,
        actor=SYSTEM,
        **fields,
    )


def make_specialist(
    org: Organization,
    branch: Branch,
    *,
    hours: list[tuple[int, time, time]] | None = WEEKDAYS_9_TO_18,
    **fields,
) -> User:
    """A specialist of `branch` working (by default) 09:00–18:00 every day."""
    user = make_staff(
        org,
        User.Role.SPECIALIST,
        branches=[branch],
        first_name=fields.pop("first_name", "Spec"),
        last_name=fields.pop("last_name", f"#{next(_seq)}"),
        **fields,
    )
    if hours:
        schedule.staff_hours_set(staff=user, branch=branch, intervals=hours, actor=SYSTEM)
    return user


def local(org: Organization, y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=organization_zone(org))


def make_visit(
    org: Organization,
    *,
    client: Client,
    staff: User,
    service: Service,
    starts_at: datetime,
    branch: Branch | None = None,
    **fields,
) -> Visit:
    return schedule.visit_create(
        organization=org,
        client=client,
        staff=staff,
        service=service,
        starts_at=starts_at,
        branch=branch,
        actor=SYSTEM,
        **fields,
    )
