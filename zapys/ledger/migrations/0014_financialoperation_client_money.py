from django.db import migrations, models


def mark_unassigned_money(apps, schema_editor):
    """Operations written before the flag by `money_received_unassigned`: the only income with
    a cause and no entry (the till's own operations have no cause; money_received_record
    links its entry at once). Money assigned since is counted through its entry."""
    operation = apps.get_model("ledger", "FinancialOperation")
    operation.objects.filter(kind="income", entry__isnull=True).exclude(cause_type="").update(
        client_money=True
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0013_purpose_penalty_service_fee")]

    operations = [
        migrations.AddField(
            model_name="financialoperation",
            name="client_money",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_unassigned_money, migrations.RunPython.noop),
    ]
