# A label only: the entry's lesson is a "group class", as the schedule and the calendar say.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("schedule", "0012_visit_kind_group_class"),
        ("waitlist", "0003_quiet_hours_deferred_moves"),
    ]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="lesson",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="schedule.visit",
                verbose_name="group class",
            ),
        ),
    ]
