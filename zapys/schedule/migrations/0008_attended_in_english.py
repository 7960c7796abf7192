"""One English word for one meaning: the seeded "came" status is "Attended", as the attendance
mark of the same visit is, and an absence is "No-show" in both. Rows still named with the
old English default "Came" take the new one; renamed rows are left alone. The texts are
written out: a migration must not depend on today's catalogues."""

from django.db import migrations, models

OLD, NEW = "Came", "Attended"


def rename(apps, schema_editor):
    VisitStatus = apps.get_model("schedule", "VisitStatus")
    VisitStatus.objects.filter(code="came", name=OLD).update(name=NEW)


def rename_back(apps, schema_editor):
    VisitStatus = apps.get_model("schedule", "VisitStatus")
    VisitStatus.objects.filter(code="came", name=NEW).update(name=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0007_gender_neutral_status_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attendance",
            name="state",
            field=models.CharField(
                choices=[
                    ("planned", "Planned"),
                    ("attended", "Attended"),
                    ("absent", "No-show"),
                    ("cancelled", "Cancelled"),
                ],
                default="planned",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="visitstatus",
            name="counts_as_came",
            field=models.BooleanField(default=False, verbose_name="counts as attended"),
        ),
        migrations.RunPython(rename, rename_back),
    ]
