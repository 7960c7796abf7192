"""About fifty demo clients with tags, birthdays, notes and types; one of them frozen.

`ctx.data["clients"]` are the clients who come (status «Активний»): the other demos book,
charge and bill only them. A lead («Лід») has not come yet and one marked «Не відвідує»
no longer comes, so neither has a visit, a balance or a payment (`ctx.data["all_clients"]`
lists everyone the import brought).

The salon came to Zapys from another CRM: its clients arrive through the same import a real
salon uses (a file uploaded by the owner, checked, confirmed, carried out), dated before the
demo's history starts. So the import page lists that import (its date, rows and who ran it)
and the opening balances the payments report shows are the ones that import brought.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from zapys.clients.importing import (
    client_import_check,
    client_import_run,
    client_import_start,
    client_import_upload,
)
from zapys.clients.models import Client, ClientImport, Tag
from zapys.clients.services import client_create, client_freeze
from zapys.core.audit import Actor
from zapys.core.demo import DemoContext, demo_clock
from zapys.core.tenancy import organization_zone

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
#: Who each first name is: the demo's own data, not a field of the client. The demo books a
#: client only the services meant for them (`catalog.demo.service_fits`): a beard trim for a
#: man, a women's haircut for a woman, as a salon's clients would show.
FEMALE_NAMES = frozenset(FIRST_NAMES[:9])
MALE_NAMES = frozenset(FIRST_NAMES[9:])
#: The daughter the family's mother records and pays for (one phone): the invoices demo
#: bills her stretching, the cabinet demo opens the mother's page with both cards.
DAUGHTER_NAMES = ("Софія", "Анна", "Юлія", "Катерина")
#: The debt tag: the import brings it on the old CRM's debtor; once the demo's money is in,
#: `ledger.demo.settle` keeps it on exactly the clients who owe.
DEBT_TAG = "борг"
VIP_TAG = "VIP"
TAGS = [(VIP_TAG, "#d63384"), ("клуб", "#198754"), ("новий", "#0d6efd"), (DEBT_TAG, "#dc3545")]
NOTES = [
    "Алергія на лак для волосся.",
    "Зручно зранку, до 12:00.",
    "Прийшла за рекомендацією подруги.",
    "Просить нагадувати у Telegram.",
    "",
    "",
]
COMPANIES = ["ТОВ «Зелений сад»", "ФОП Мельник А. В.", "ТОВ «Сонячна студія»"]

#: The file the owner exported from the old CRM, with the Ukrainian headers such a file has.
IMPORT_FILE_NAME = "Клієнти з попередньої CRM.csv"
IMPORT_HEADER = [
    "ПІБ",
    "Телефон",
    "Email",
    "Дата народження",
    "Примітка",
    "Теги",
    "Тип",
    "Статус",
    "Баланс",
]
TYPE_WORDS = {Client.Type.INDIVIDUAL: "фізособа", Client.Type.LEGAL_ENTITY: "юрособа"}
STATUS_WORDS = {
    Client.Status.ACTIVE: "активний",
    Client.Status.INACTIVE: "неактивний",
    Client.Status.LEAD: "лід",
}
#: Balances carried over from the old CRM (row index → hryvnias): money some clients left
#: with the salon, and one debt, whose client the old CRM tagged "борг".
OPENING_BALANCES = {0: "1000", 4: "500", 8: "1500", 12: "-350"}
DEBTOR = 12
#: The import happened this many days before the first day of the demo's money history
#: (reports' demo starts on the first day of the month before last).
IMPORT_DAYS_BEFORE_HISTORY = 3


def load(ctx: DemoContext) -> None:
    org = ctx.organization
    tags = [Tag.objects.create(organization=org, name=n, color=c) for n, c in TAGS]
    free_tags = [t for t in tags if t.name != DEBT_TAG]
    today = timezone.localtime(ctx.now).date()
    rows: list[list[str]] = []
    taken: set[str] = set()
    for i in range(50):
        legal = i in (7, 23, 41)
        # A person as the old CRM wrote them, "Surname Name": the import splits the parts
        # (the card shows the whole name, messages greet by the first name).
        # No two clients of one name: two «Кравченко Олена» on one page of the demo read as
        # one client billed twice.
        name = COMPANIES[[7, 23, 41].index(i)] if legal else ""
        while not name or name in taken:
            name = f"{ctx.rng.choice(SURNAMES)} {ctx.rng.choice(FIRST_NAMES)}"
        taken.add(name)
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
        note = ctx.rng.choice(NOTES)
        # "борг" (debt) is not dealt at random: only the client who owes carries it.
        tag_names = [t.name for t in ctx.rng.sample(free_tags, k=ctx.rng.choice([0, 1, 1, 2]))]
        if legal:
            # VIP is a person the salon greets by name (the demo's broadcast to VIP opens
            # with «{client.first_name}»): a company has no first name, so none is VIP
            tag_names = [n for n in tag_names if n != VIP_TAG]
        if i == DEBTOR:
            tag_names.append(DEBT_TAG)
        rows.append(
            [
                name,
                f"+38067{1000000 + i * 7919:07d}",
                f"client{i + 1}@example.com" if i % 3 else "",
                birthday.strftime("%d.%m.%Y") if birthday else "",
                note,
                ", ".join(tag_names),
                TYPE_WORDS[Client.Type.LEGAL_ENTITY if legal else Client.Type.INDIVIDUAL],
                STATUS_WORDS[status],
                OPENING_BALANCES.get(i, ""),
            ]
        )
    _import(ctx, rows, at=_import_moment(ctx, today))
    by_phone = {c.phone: c for c in Client.objects.for_org(org)}
    clients = [by_phone[row[1]] for row in rows]
    # One client on holiday right now: the card shows the badge, the list the snowflake.
    client_freeze(
        client=clients[4],
        date_from=today - timedelta(days=3),
        date_to=today + timedelta(days=11),
        reason="Відпустка",
        actor=ctx.actor,
    )
    ctx.data["all_clients"] = clients
    ctx.data["clients"] = [c for c in clients if c.status == Client.Status.ACTIVE]
    ctx.data["tags"] = tags
    ctx.data["family"] = _family(ctx, clients)


def demo_gender(client: Client) -> str | None:
    """ "f" or "m" by the demo's first names; None for a company or a name it did not make."""
    if client.client_type != Client.Type.INDIVIDUAL:
        return None
    first = client.first_name or (client.name.split()[-1] if client.name else "")
    if first in FEMALE_NAMES:
        return "f"
    return "m" if first in MALE_NAMES else None


def _family(ctx: DemoContext, clients: list[Client]) -> tuple[Client, Client] | None:
    """A mother and her daughter on the mother's phone, the daughter added in Zapys (the
    old CRM had only the mother). Her surname is the mother's: the family switcher, the
    invoice's "for whom" and the cabinet's "to pay" all name the same two people."""
    mother = next(
        (
            c
            for c in clients
            if demo_gender(c) == "f" and c.phone and c.status == Client.Status.ACTIVE
        ),
        None,
    )
    if mother is None:
        return None
    names = {c.name for c in clients}
    first = next(
        (n for n in DAUGHTER_NAMES if f"{mother.last_name} {n}" not in names),
        DAUGHTER_NAMES[0],
    )
    daughter = client_create(
        organization=ctx.organization,
        last_name=mother.last_name,
        first_name=first,
        phone=mother.phone,
        note="Донька; записує та платить мама (один номер телефону).",
        actor=ctx.actor,
    )
    return mother, daughter


def _import_moment(ctx: DemoContext, today: date) -> datetime:
    """An evening a few days before the demo's money history begins (the first day of the
    month before last), after the salon closed."""
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    history_starts = (last_month - timedelta(days=1)).replace(day=1)
    day = history_starts - timedelta(days=IMPORT_DAYS_BEFORE_HISTORY)
    return datetime.combine(day, time(20, 15), organization_zone(ctx.organization))


def _import(ctx: DemoContext, rows: list[list[str]], *, at: datetime) -> ClientImport:
    """The owner uploads the old CRM's file, the worker checks it, the owner confirms, the
    worker imports: the steps of the import page, run here one after another (the demo
    has no worker; the tasks queued on commit find the import done and do nothing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(IMPORT_HEADER)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    owner = Actor.staff(ctx.owner)
    with demo_clock(at):
        upload = client_import_upload(
            organization=ctx.organization,
            file=io.BytesIO(data),
            filename=IMPORT_FILE_NAME,
            size=len(data),
            actor=owner,
        )
        upload = client_import_check(upload=upload, actor=owner)
    with demo_clock(at + timedelta(minutes=2)):
        upload = client_import_start(upload=upload, actor=owner)
        upload = client_import_run(upload=upload, actor=owner)
    return upload
