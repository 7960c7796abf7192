"""An invoice not paid by its date is "Overdue" in English, as «Прострочено» says in
Ukrainian — "Expired" read as if the invoice had stopped existing."""

from django.utils import translation

from zapys.invoices.models import Invoice


def test_an_unpaid_invoice_past_its_date_is_overdue_in_both_languages():
    with translation.override("en"):
        assert str(Invoice.Status.EXPIRED.label) == "Overdue"
    with translation.override("uk"):
        assert str(Invoice.Status.EXPIRED.label) == "Прострочено"
