"""An invoice's money on the sales receipt (issue 17): "Invoice РАХ-2026-00001: <title>" is
a line the system writes, read in each reader's language; the title is the salon's, as
typed; an invoice without a title is named by its number once."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.invoices import services
from zapys.invoices.models import Invoice
from zapys.ledger.models import SalesReceiptLine
from zapys.payments.services import payment_succeed


def _paid_line(org, title: str) -> tuple[Invoice, SalesReceiptLine]:
    make_account(org, "sandbox")
    invoice = services.invoice_create(
        client=make_client(org, name="Коваленко Олена"),
        calculation="manual",
        amount=40_000,
        actor=SYSTEM,
    )
    Invoice.objects.filter(pk=invoice.pk).update(title=title)
    invoice.refresh_from_db()
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    with translation.override("uk"):
        payment_succeed(payment=payment, actor=SYSTEM)
    return invoice, SalesReceiptLine.objects.get()


def test_the_invoice_line_reads_in_each_language_with_the_title_as_typed(org, branch):
    invoice, line = _paid_line(org, "Абонемент на грудень")
    assert line.name == f"Рахунок {invoice.number}: Абонемент на грудень"
    assert line.name_text == {
        "msgid": "Invoice %(number)s: %(what)s",
        "params": {"number": invoice.number, "what": "Абонемент на грудень"},
    }
    with translation.override("en"):
        assert line.name_shown == f"Invoice {invoice.number}: Абонемент на грудень"
    with translation.override("uk"):
        assert line.name_shown == line.name


@pytest.mark.parametrize(("language", "word"), [("uk", "Рахунок"), ("en", "Invoice")])
def test_an_invoice_without_a_title_is_named_by_its_number_once(org, branch, language, word):
    invoice, line = _paid_line(org, "")
    with translation.override(language):
        assert line.name_shown == f"{word} {invoice.number}"
