"""Clients get their name in parts (last, first, middle), split from the one-line name they
had (`clients.names.split_name`; a legal entity keeps only its name); client and tag names
sort the Ukrainian way (the "zapys_uk" collation: ICU's Ukrainian on PostgreSQL, created
here; on SQLite core/collation.py registers it on every connection). `name` stays, as the display name the services keep from the parts."""

from django.db import migrations, models

import zapys.clients.names
from zapys.core.collation import POSTGRESQL_CREATE


def create_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE)


def split_names(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    batch = []
    rows = Client.objects.exclude(client_type="legal_entity").only("id", "name").iterator()
    for client in rows:
        parts = zapys.clients.names.split_name(client.name)
        client.last_name = parts.last_name[:100]
        client.first_name = parts.first_name[:100]
        client.middle_name = parts.middle_name[:100]
        batch.append(client)
        if len(batch) >= 1000:
            Client.objects.bulk_update(batch, ["last_name", "first_name", "middle_name"])
            batch = []
    if batch:
        Client.objects.bulk_update(batch, ["last_name", "first_name", "middle_name"])


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_client_cabinet_token")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="first_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="first name"),
        ),
        migrations.AddField(
            model_name="client",
            name="last_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="last name"),
        ),
        migrations.AddField(
            model_name="client",
            name="middle_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="middle name"),
        ),
        migrations.RunPython(split_names, migrations.RunPython.noop),
        migrations.RunPython(create_collation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="client",
            name="name",
            field=models.CharField(
                db_collation="zapys_uk", max_length=200, verbose_name="full name"
            ),
        ),
        migrations.AlterField(
            model_name="tag",
            name="name",
            field=models.CharField(db_collation="zapys_uk", max_length=64, verbose_name="name"),
        ),
    ]
