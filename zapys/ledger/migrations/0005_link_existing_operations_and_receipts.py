"""Link the operations and receipt payments/lines recorded before 0004 to their ledger
entries, and cancel those whose entry is already cancelled (a cancelled payment must not
count as money received anywhere).

Pairing, per organization and cause (membership, booking, payment), in creation order:
- an income operation ↔ a debit entry, an expense operation ↔ a credit entry, with the
  same amount and payment type;
- a receipt payment ↔ a debit entry with the same amount and payment type;
- a receipt line of a membership sale ↔ the sale's credit (charge) entry of that amount.
Nothing is deleted; ledger entries are only read.
"""

from django.db import migrations
from django.db.models import F

MEMBERSHIP = "memberships.clientmembership"


def _first_unlinked(Entry, *, org_id, cause_type, cause_id, kind, amount, related, **extra):
    return (
        Entry.objects.filter(
            organization_id=org_id,
            cause_type=cause_type,
            cause_id=cause_id,
            kind=kind,
            amount=amount,
            **{f"{related}__isnull": True},
            **extra,
        )
        .order_by("id")
        .first()
    )


def link(apps, schema_editor):
    Entry = apps.get_model("ledger", "Entry")
    Operation = apps.get_model("ledger", "FinancialOperation")
    Receipt = apps.get_model("ledger", "SalesReceipt")
    Line = apps.get_model("ledger", "SalesReceiptLine")
    Payment = apps.get_model("ledger", "SalesReceiptPayment")

    for op in Operation.objects.filter(entry__isnull=True).exclude(cause_type="").order_by("id"):
        entry = _first_unlinked(
            Entry,
            org_id=op.organization_id,
            cause_type=op.cause_type,
            cause_id=op.cause_id,
            kind="debit" if op.kind == "income" else "credit",
            amount=op.amount,
            related="operations",
            payment_type_id=op.payment_type_id,
        )
        if entry is None:
            continue
        fields = {"entry_id": entry.pk}
        if entry.status == "cancelled":
            fields.update(
                status="cancelled",
                cancelled_at=entry.cancelled_at,
                cancel_reason=entry.cancel_reason,
            )
        Operation.objects.filter(pk=op.pk).update(**fields)

    payments = (
        Payment.objects.filter(entry__isnull=True)
        .exclude(receipt__cause_type="")
        .select_related("receipt")
        .order_by("id")
    )
    for payment in payments:
        receipt = payment.receipt
        entry = _first_unlinked(
            Entry,
            org_id=payment.organization_id,
            cause_type=receipt.cause_type,
            cause_id=receipt.cause_id,
            kind="debit",
            amount=payment.amount,
            related="receipt_payments",
            payment_type_id=payment.payment_type_id,
        )
        if entry is None:
            continue
        if entry.status == "cancelled":
            Payment.objects.filter(pk=payment.pk).update(
                entry_id=entry.pk, status="cancelled", cancelled_at=entry.cancelled_at
            )
            Receipt.objects.filter(pk=receipt.pk).update(paid=F("paid") - payment.amount)
        else:
            Payment.objects.filter(pk=payment.pk).update(entry_id=entry.pk)

    lines = (
        Line.objects.filter(entry__isnull=True, receipt__cause_type=MEMBERSHIP)
        .select_related("receipt")
        .order_by("id")
    )
    for line in lines:
        receipt = line.receipt
        entry = _first_unlinked(
            Entry,
            org_id=line.organization_id,
            cause_type=receipt.cause_type,
            cause_id=receipt.cause_id,
            kind="credit",
            amount=line.amount,
            related="receipt_lines",
            purpose="membership_sale",
        )
        if entry is None:
            continue
        if entry.status == "cancelled":
            Line.objects.filter(pk=line.pk).update(
                entry_id=entry.pk, status="cancelled", cancelled_at=entry.cancelled_at
            )
            Receipt.objects.filter(pk=receipt.pk).update(total=F("total") - line.amount)
        else:
            Line.objects.filter(pk=line.pk).update(entry_id=entry.pk)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_cancel_with_entry")]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
