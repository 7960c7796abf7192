"""About fifty demo clients with tags, birthdays, notes and types; one of them frozen."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from zapys.clients.models import Client, Tag
from zapys.clients.services import client_create, client_freeze
from zapys.core.demo import DemoContext

SURNAMES = [
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Кравченко",
    "Олійник",
    "Шевчук",
    "Поліщук",
    "Лисенко",
    "Руденко",
    "Савченко",
    "Марченко",
    "Мороз",
    "Кравець",
    "Павленко",
    "Гончаренко",
]
FIRST_NAMES = [
    "Олена",
    "Анна",
    "Марія",
    "Наталія",
    "Ірина",
    "Оксана",
    "Юлія",
    "Катерина",
    "Софія",
    "Андрій",
    "Дмитро",
    "Олександр",
    "Сергій",
    "Максим",
    "Віктор",
]
TAGS = [("VIP", "#d63384"), ("клуб", "#198754"), ("новий", "#0d6efd"), ("борг", "#dc3545")]
NOTES = [
    "Алергія на лак для волосся.",
    "Зручно зранку, до 12:00.",
    "Прийшла за рекомендацією подруги.",
    "Просить нагадувати у Telegram.",
    "",
    "",
]
COMPANIES = ["ТОВ «Зелений сад»", "ФОП Мельник А. В.", "ТОВ «Сонячна студія»"]


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    tags = [Tag.objects.create(organization=org, name=n, color=c) for n, c in TAGS]
    free_tags = [t for t in tags if t.name != "борг"]
    today = timezone.localtime(ctx.now).date()
    clients = []
    for i in range(50):
        legal = i in (7, 23, 41)
        # A person in parts (the card shows "Surname Name", messages greet by the name).
        surname, first_name = ctx.rng.choice(SURNAMES), ctx.rng.choice(FIRST_NAMES)
        name = COMPANIES[[7, 23, 41].index(i)] if legal else ""
        status = (
            Client.Status.LEAD
            if i % 17 == 5
            else (Client.Status.INACTIVE if i % 19 == 3 else Client.Status.ACTIVE)
        )
        birthday = (
            None
            if legal or i % 5 == 4
            else date(
                1970 + ctx.rng.randrange(38), ctx.rng.randrange(1, 13), ctx.rng.randrange(1, 29)
            )
        )
        client = client_create(
            organization=org,
            name=name,
            last_name="" if legal else surname,
            first_name="" if legal else first_name,
            phone=f"+38067{1000000 + i * 7919:07d}",
            email=f"client{i + 1}@example.com" if i % 3 else "",
            birthday=birthday,
            note=ctx.rng.choice(NOTES),
            client_type=Client.Type.LEGAL_ENTITY if legal else Client.Type.INDIVIDUAL,
            status=status,
            # "борг" (debt) is not dealt at random: a client tagged so had money on account.
            tag_objects=ctx.rng.sample(free_tags, k=ctx.rng.choice([0, 1, 1, 2])),
            actor=ctx.actor,
        )
        clients.append(client)
    # One client on holiday right now: the card shows the badge, the list the snowflake.
    client_freeze(
        client=clients[4],
        date_from=today - timedelta(days=3),
        date_to=today + timedelta(days=11),
        reason="Відпустка",
        actor=ctx.actor,
    )
    ctx.data["clients"] = clients
    ctx.data["tags"] = tags
