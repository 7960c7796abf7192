"""`reminder_hours_before` back inside the bounds the service now keeps. Unbounded, 2147483647
was accepted, and then every booking of the organization was a 500 (the reminder time, the
link's expiry minus these hours, left the range of a datetime). 0 stays: it never reminded,
and the settings page asks for a valid number the next time the tab is saved."""

from django.db import migrations

MAX_HOURS = 24 * 30  # services.MAX_LINK_HOURS when this migration was written


def clamp(apps, schema_editor):
    settings = apps.get_model("prepayments", "PrepaymentSettings")._base_manager
    settings.filter(reminder_hours_before__gt=MAX_HOURS).update(reminder_hours_before=MAX_HOURS)
    settings.filter(link_lifetime_hours__gt=MAX_HOURS).update(link_lifetime_hours=MAX_HOURS)


class Migration(migrations.Migration):
    dependencies = [("prepayments", "0001_initial")]

    operations = [migrations.RunPython(clamp, migrations.RunPython.noop)]
