"""An invoice's system-written title (a forecast's "Lessons 01.12–31.12.2026") is kept as
a stored text, read in each reader's language. Invoices issued before keep their text and
gain the stored one when the text is that title in either language."""

import re

from django.db import migrations, models

LESSONS = re.compile(r"^(?:Lessons|Заняття) (\d\d\.\d\d)–(\d\d\.\d\d\.\d{4})$")


def stored_titles(apps, schema_editor):
    Invoice = apps.get_model("invoices", "Invoice")
    changed = []
    for invoice in Invoice.objects.filter(title_text__isnull=True).exclude(title="").only(
        "id", "title"
    ).iterator():
        found = LESSONS.match(invoice.title)
        if found:
            invoice.title_text = {
                "msgid": "Lessons %(start)s–%(end)s",
                "params": {"start": found.group(1), "end": found.group(2)},
            }
            changed.append(invoice)
    Invoice.objects.bulk_update(changed, ["title_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0010_dunning_skipped"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="title_text",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(stored_titles, migrations.RunPython.noop),
    ]
