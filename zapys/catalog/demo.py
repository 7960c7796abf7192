"""Demo services with prices and durations."""

from __future__ import annotations

from zapys.catalog.models import Service
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
