"""Every client gets a cabinet link (K1): the column is added empty, filled for the clients
that exist, then made unique and required."""

from django.db import migrations, models

import zapys.core.tokens


def fill_tokens(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    batch = []
    for client in Client.objects.filter(cabinet_token__isnull=True).only("id").iterator():
        client.cabinet_token = zapys.core.tokens.new_public_token()
        batch.append(client)
        if len(batch) >= 1000:
            Client.objects.bulk_update(batch, ["cabinet_token"])
            batch = []
    if batch:
        Client.objects.bulk_update(batch, ["cabinet_token"])


class Migration(migrations.Migration):
    dependencies = [("clients", "0005_names_and_money_fields")]

    operations = [
        migrations.AddField(
            model_name="client",
            name="cabinet_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="client",
            name="cabinet_token",
            field=models.CharField(
                default=zapys.core.tokens.new_public_token,
                editable=False,
                max_length=64,
                unique=True,
                verbose_name="cabinet link",
            ),
        ),
    ]
