"""The seeded visit statuses get gender-neutral Ukrainian names ("Записаний" said "he is
booked" of every client, women too). Rows still named with the old Ukrainian default take
the new one; renamed rows and rows named in English are left alone. The texts are written
out: a migration must not depend on today's catalogues."""

from django.db import migrations

#: code → (old Ukrainian default, new Ukrainian default)
RENAMES = {
    "booked": ("Записаний", "Записано"),
    "came": ("Прийшов", "Відвідано"),
    "no_show": ("Не прийшов", "Неявка"),
}


def _rename(apps, *, forward: bool) -> None:
    VisitStatus = apps.get_model("schedule", "VisitStatus")
    for code, (old, new) in RENAMES.items():
        source, target = (old, new) if forward else (new, old)
        VisitStatus.objects.filter(code=code, name=source).update(name=target)


def rename(apps, schema_editor):
    _rename(apps, forward=True)


def rename_back(apps, schema_editor):
    _rename(apps, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0006_dedicated_unpaid_status_name"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
