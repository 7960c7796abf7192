# The organization's invoice number prefix. An invoice number is a document's number: the
# ones issued keep theirs, and an organization that had already issued numbers goes on with
# "INV" (its year's series does not change its look halfway); one that had issued none gets
# the new default, «РАХ» when it writes to clients in Ukrainian. The prefix can be changed on
# the invoice settings page, for the invoices issued after.

from django.db import migrations, models


def prefixes(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    InvoiceCounter = apps.get_model("invoices", "InvoiceCounter")
    InvoiceSettings = apps.get_model("invoices", "InvoiceSettings")
    numbered = set(InvoiceCounter.objects.values_list("organization_id", flat=True))
    has_settings = set(InvoiceSettings.objects.values_list("organization_id", flat=True))
    for org_id, language in Organization.objects.values_list("id", "language"):
        if org_id in numbered:
            prefix = "INV"
        else:
            prefix = "РАХ" if (language or "uk").startswith("uk") else "INV"
        if org_id in has_settings:
            InvoiceSettings.objects.filter(organization_id=org_id).update(number_prefix=prefix)
        elif org_id in numbered:
            InvoiceSettings.objects.create(organization_id=org_id, number_prefix=prefix)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0007_status_overdue_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoicesettings",
            name="number_prefix",
            field=models.CharField(
                default="РАХ", max_length=8, verbose_name="invoice number prefix"
            ),
        ),
        migrations.RunPython(prefixes, migrations.RunPython.noop),
    ]
