"""The prepayment app's dedicated cancellation status ("prepayment_unpaid") gets a name apart
from the seeded "Cancelled: booking unpaid". Rows still named with the old default (in either
language) take the new default in their organization's language; renamed rows are left alone.
The texts are written out: a migration must not depend on today's catalogues."""

from django.db import migrations

OLD = {"Cancelled: prepayment not received", "Скасовано: передоплату не отримано"}
NEW = {
    "en": "Cancelled: prepayment not received (dedicated)",
    "uk": "Скасовано: передоплату не отримано (окремий статус)",
}


def rename(apps, schema_editor):
    VisitStatus = apps.get_model("schedule", "VisitStatus")
    for status in VisitStatus.objects.filter(code="prepayment_unpaid", name__in=OLD).select_related(
        "organization"
    ):
        status.name = NEW.get(status.organization.language, NEW["uk"])
        status.save(update_fields=["name"])


def rename_back(apps, schema_editor):
    VisitStatus = apps.get_model("schedule", "VisitStatus")
    back = {
        NEW["en"]: "Cancelled: prepayment not received",
        NEW["uk"]: "Скасовано: передоплату не отримано",
    }
    for status in VisitStatus.objects.filter(code="prepayment_unpaid", name__in=back):
        status.name = back[status.name]
        status.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0005_booking_state_at_desk"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
