"""About fifty demo clients with tags."""

from __future__ import annotations

from zapys.clients.models import Client, Tag
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


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    tags = [Tag.objects.create(organization=org, name=n, color=c) for n, c in TAGS]
    clients = []
    for i in range(50):
        name = f"{ctx.rng.choice(SURNAMES)} {ctx.rng.choice(FIRST_NAMES)}"
        client = Client.objects.create(
            organization=org,
            name=name,
            phone=f"+38067{1000000 + i * 7919:07d}",
            email=f"client{i + 1}@example.com" if i % 3 else "",
        )
        client.tags.set(ctx.rng.sample(tags, k=ctx.rng.choice([0, 1, 1, 2])))
        clients.append(client)
    ctx.data["clients"] = clients
    ctx.data["tags"] = tags
