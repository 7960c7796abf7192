"""Numeric schedule settings back inside the bounds the services now keep
(`services.SETTINGS_BOUNDS`). Before them the API and the settings form stored anything a
PositiveIntegerField holds, and a lead time or a horizon of 2^31 made the organization's
public booking page a 500 (date arithmetic overflow) until someone found the setting."""

from django.db import migrations

# The bounds as they were when this migration was written (a migration must not follow later
# changes of the code).
BOUNDS = {
    "buffer_minutes": (0, 240),
    "slot_step_minutes": (5, 240),
    "online_min_lead_minutes": (0, 30 * 24 * 60),
    "online_days_ahead": (1, 365),
    "online_rate_limit_per_minute": (1, 1000),
}


def clamp(apps, schema_editor):
    settings = apps.get_model("schedule", "ScheduleSettings")._base_manager
    for field, (low, high) in BOUNDS.items():
        settings.filter(**{f"{field}__gt": high}).update(**{field: high})
        settings.filter(**{f"{field}__lt": low}).update(**{field: low})


class Migration(migrations.Migration):
    dependencies = [("schedule", "0002_pg_no_overlap")]

    operations = [migrations.RunPython(clamp, migrations.RunPython.noop)]
