"""Demo branches and staff: two branches, an administrator, three specialists of the salon's
trades and the make-up artist who teaches the salon's courses («Макіяж для себе»)."""

from __future__ import annotations

from zapys.accounts.models import User
from zapys.accounts.services import branch_create, staff_create
from zapys.core.demo import DEMO_PASSWORD, DemoContext

#: The make-up artist leads the salon's courses (groups) and takes no individual services.
TEACHER_LOGIN = "olha"

STAFF = [
    ("admin", User.Role.ADMINISTRATOR, "Олена", "Коваль", "Адміністратор", 0, [0, 1]),
    ("maria", User.Role.SPECIALIST, "Марія", "Шевченко", "Перукар-стиліст", 45000, [0]),
    ("iryna", User.Role.SPECIALIST, "Ірина", "Бондар", "Майстер манікюру та брів", 35000, [0, 1]),
    ("taras", User.Role.SPECIALIST, "Тарас", "Мельник", "Барбер", 40000, [1]),
    (TEACHER_LOGIN, User.Role.SPECIALIST, "Ольга", "Ткачук", "Візажист", 30000, [0]),
]


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    ctx.branches = [
        branch_create(organization=org, name="Центр", address="вул. Хрещатик, 1", actor=ctx.actor),
        branch_create(
            organization=org, name="Поділ", address="вул. Сагайдачного, 20", actor=ctx.actor
        ),
    ]
    ctx.owner.branches.set(ctx.branches)
    ctx.staff = [ctx.owner]
    for login, role, first, last, position, rate, branch_idx in STAFF:
        ctx.staff.append(
            staff_create(
                organization=org,
                username=login,
                password=DEMO_PASSWORD,
                role=role,
                first_name=first,
                last_name=last,
                position=position,
                hourly_rate=rate,
                branches=[ctx.branches[i] for i in branch_idx],
                actor=ctx.actor,
            )
        )
