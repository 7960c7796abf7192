"""Demo services with prices and durations; subjects, a room and two groups."""

from __future__ import annotations

from zapys.catalog.models import Service
from zapys.catalog.services import group_create, lesson_type_create, room_create, subject_create
from zapys.core.demo import DemoContext

SERVICES = [
    ("Стрижка жіноча", "Волосся", 60, 60000),
    ("Стрижка чоловіча", "Волосся", 45, 40000),
    ("Фарбування волосся", "Волосся", 120, 180000),
    ("Манікюр класичний", "Нігті", 60, 45000),
    ("Манікюр з покриттям гель-лак", "Нігті", 90, 70000),
    ("Педикюр", "Нігті", 90, 80000),
    ("Оформлення бороди", "Барбершоп", 30, 30000),
    ("Укладка", "Волосся", 45, 50000),
]


def load(ctx: DemoContext) -> None:
    services = []
    for name, category, minutes, price in SERVICES:
        service = Service.objects.create(
            organization=ctx.organization,
            name=name,
            category=category,
            duration_minutes=minutes,
            price=price,
        )
        service.branches.set(ctx.branches)
        services.append(service)
    ctx.data["services"] = services

    # A studio corner of the salon: two groups with members (the schedule demo gives them
    # weekly lessons and attendance history).
    stretching = subject_create(organization=ctx.organization, name="Стретчинг", actor=ctx.actor)
    yoga = subject_create(organization=ctx.organization, name="Йога", actor=ctx.actor)
    group_type = lesson_type_create(organization=ctx.organization, name="Групове", actor=ctx.actor)
    room = room_create(
        organization=ctx.organization,
        branch=ctx.branches[0],
        name="Зал",
        capacity=12,
        actor=ctx.actor,
    )
    clients = ctx.data.get("clients", [])
    teachers = ctx.specialists or [ctx.owner]
    groups = []
    for i, (name, subject) in enumerate(
        [("Стретчинг ранковий", stretching), ("Йога вечірня", yoga)]
    ):
        members = clients[i * 8 : i * 8 + 8]
        groups.append(
            group_create(
                organization=ctx.organization,
                name=name,
                branch=ctx.branches[0],
                subject=subject,
                lesson_type=group_type,
                teacher=teachers[i % len(teachers)],
                capacity=12,
                member_ids=[c.pk for c in members],
                actor=ctx.actor,
            )
        )
    ctx.data["groups"] = groups
    ctx.data["rooms"] = [room]
