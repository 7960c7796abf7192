"""The seeded unpaid cancellation says "бронювання", as the rest of the app does (its old
Ukrainian default said "бронь"). Rows still named with the old default take the new one;
renamed rows and rows named in English are left alone. The texts are written out: a
migration must not depend on today's catalogues. The rate limit's label says it counts per
IP address."""

from django.db import migrations, models

OLD, NEW = "Скасовано: бронь не оплачена", "Скасовано: бронювання не оплачено"


def rename(apps, schema_editor):
    VisitStatus = apps.get_model("schedule", "VisitStatus")
    VisitStatus.objects.filter(code="cancelled_unpaid", name=OLD).update(name=NEW)


def rename_back(apps, schema_editor):
    VisitStatus = apps.get_model("schedule", "VisitStatus")
    VisitStatus.objects.filter(code="cancelled_unpaid", name=NEW).update(name=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0009_audited_field_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="schedulesettings",
            name="online_rate_limit_per_minute",
            field=models.PositiveIntegerField(
                default=10, verbose_name="online bookings per minute from one IP address"
            ),
        ),
        migrations.RunPython(rename, rename_back),
    ]
