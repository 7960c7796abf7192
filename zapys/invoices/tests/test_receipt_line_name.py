"""An invoice's money on the sales receipt (issue 17): "Invoice 2026-0001: <title>" is a
line the system writes, read in each reader's language; the title is the salon's, as typed."""

from __future__ import annotations

from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.invoices import services
from zapys.ledger.models import SalesReceiptLine
from zapys.payments.services import payment_succeed


def test_the_invoice_line_reads_in_each_language_with_the_title_as_typed(org, branch):
    make_account(org, "sandbox")
    invoice = services.invoice_create(
        client=make_client(org, name="Коваленко Олена"),
        calculation="manual",
        amount=40_000,
        actor=SYSTEM,
    )
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    with translation.override("uk"):
        payment_succeed(payment=payment, actor=SYSTEM)
    what = invoice.title or invoice.number  # the salon's words (data)
    line = SalesReceiptLine.objects.get()
    assert line.name == f"Рахунок {invoice.number}: {what}"
    assert line.name_text == {
        "msgid": "Invoice %(number)s: %(what)s",
        "params": {"number": invoice.number, "what": what},
    }
    with translation.override("en"):
        assert line.name_shown == f"Invoice {invoice.number}: {what}"
    with translation.override("uk"):
        assert line.name_shown == line.name
