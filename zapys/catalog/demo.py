"""Demo services with prices and durations, who does each and for whom, offered in the
branches where their specialist works; the salon's courses: two areas (make-up, hairstyles),
the «Майстер-клас» format, a training room and two groups led by the make-up artist.

A reviewer of the demo's screenshots found a beard trim booked for women, a women's haircut
for men and the hairdresser doing manicures: the demo now books a service only for a client
it is meant for and with a specialist of its trade (`service_fits`), and each service lists
that specialist as the one who performs it (what the public booking page offers)."""

from __future__ import annotations

from typing import Any

from zapys.accounts.demo import TEACHER_LOGIN
from zapys.catalog.models import Service
from zapys.catalog.services import group_create, lesson_type_create, room_create, subject_create
from zapys.clients.demo import demo_gender
from zapys.core.demo import DemoContext

#: (name, category, minutes, price, for whom: "f" women, "m" men, "" anyone)
SERVICES = [
    ("Стрижка жіноча", "Волосся", 60, 60000, "f"),
    ("Стрижка чоловіча", "Барбершоп", 45, 40000, "m"),
    ("Фарбування волосся", "Волосся", 120, 180000, "f"),
    ("Манікюр класичний", "Нігті", 60, 45000, ""),
    ("Манікюр з покриттям гель-лак", "Нігті", 90, 70000, "f"),
    ("Педикюр", "Нігті", 90, 80000, ""),
    ("Оформлення бороди", "Барбершоп", 30, 30000, "m"),
    ("Укладка", "Волосся", 45, 50000, "f"),
    ("Корекція брів", "Брови", 30, 30000, "f"),
]
#: Whose trade each category is (the demo staff's logins, `accounts/demo.py`).
TRADES = {"Волосся": "maria", "Барбершоп": "taras", "Нігті": "iryna", "Брови": "iryna"}
_CATEGORY = {name: category for name, category, *_ in SERVICES}
_FOR_WHOM = {name: for_whom for name, *_, for_whom in SERVICES}
#: The areas of the salon's courses (what an invoice for lessons may name) and its groups:
#: people learning to do their own make-up and hair, two evenings a week.
SUBJECTS = ("Макіяж", "Зачіски")
GROUPS = ("Макіяж для себе", "Зачіски для себе")


def service_fits(service: Service | str | None, *, client: Any = None, staff: Any = None) -> bool:
    """Whether the demo may book `service` (or a service of that name) for `client` and with
    `staff` (either may be left out). A company books no personal service; a name the demo
    did not make (or no service) fits no one."""
    name = service if isinstance(service, str) or service is None else service.name
    if name not in _CATEGORY:
        return False
    if client is not None:
        gender = demo_gender(client)
        if gender is None or _FOR_WHOM[name] not in ("", gender):
            return False
    return staff is None or TRADES[_CATEGORY[name]] == getattr(staff, "username", None)


def load(ctx: DemoContext) -> None:
    # who performs each: its trade's specialist, so the public page offers the hairdresser
    # for a haircut and never the make-up artist (she teaches the courses); offered in the
    # branches that specialist works in (the barber's beard trim is not listed in Центр)
    by_login = {u.username: u for u in ctx.staff}
    services = []
    for name, category, minutes, price, _for_whom in SERVICES:
        service = Service.objects.create(
            organization=ctx.organization,
            name=name,
            category=category,
            duration_minutes=minutes,
            price=price,
        )
        trade = by_login.get(TRADES[category])
        service.branches.set(list(trade.branches.all()) if trade else ctx.branches)
        service.specialists.set([trade] if trade else [])
        services.append(service)
    ctx.data["services"] = services

    # The salon's courses: two groups with members, led by the make-up artist (the schedule
    # demo gives them weekly lessons and attendance history).
    make_up = subject_create(organization=ctx.organization, name=SUBJECTS[0], actor=ctx.actor)
    hair = subject_create(organization=ctx.organization, name=SUBJECTS[1], actor=ctx.actor)
    group_type = lesson_type_create(
        organization=ctx.organization, name="Майстер-клас", actor=ctx.actor
    )
    room = room_create(
        organization=ctx.organization,
        branch=ctx.branches[0],
        name="Навчальний кабінет",
        capacity=10,
        actor=ctx.actor,
    )
    # women, not companies, come to these courses; the family's daughter learns make-up
    # (the invoices demo bills her month of it) and her mother only pays for it: the
    # mother enrolled too showed her own classes, no-shows and charges in her cabinet
    family = ctx.data.get("family")
    mother_pk = family[0].pk if family else None
    people = [c for c in ctx.data.get("clients", []) if demo_gender(c) == "f" and c.pk != mother_pk]
    trainer = (
        next((u for u in ctx.specialists if u.username == TEACHER_LOGIN), ctx.specialists[0])
        if ctx.specialists
        else ctx.owner
    )
    groups = []
    for i, (name, subject) in enumerate(zip(GROUPS, (make_up, hair), strict=True)):
        members = people[i * 8 : i * 8 + 8]
        if i == 0 and family:
            members.append(family[1])
        groups.append(
            group_create(
                organization=ctx.organization,
                name=name,
                branch=ctx.branches[0],
                subject=subject,
                lesson_type=group_type,
                teacher=trainer,
                capacity=10,
                member_ids=[c.pk for c in members],
                actor=ctx.actor,
            )
        )
    ctx.data["groups"] = groups
    ctx.data["rooms"] = [room]
