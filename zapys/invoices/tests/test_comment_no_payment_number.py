"""An invoice's ledger comment names the invoice — a document's number the client has too —
and not the payment's internal number (issue 17). Rows stored before keep their text."""

from __future__ import annotations

from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from zapys.core.stored_text import StoredText
from zapys.invoices import services
from zapys.ledger.models import Entry
from zapys.payments.services import payment_succeed


def test_the_payment_of_an_invoice_is_named_by_the_invoice(org, branch):
    make_account(org, "sandbox")
    invoice = services.invoice_create(
        client=make_client(org, name="Коваленко Олена"),
        calculation="manual",
        amount=50_000,
        actor=SYSTEM,
    )
    payment = services.invoice_payment_start(invoice=invoice, actor=SYSTEM)
    payment_succeed(payment=payment, actor=SYSTEM)
    entry = Entry.objects.get(purpose="invoice_payment")
    with translation.override("uk"):
        assert entry.comment_shown == f"Оплата рахунку {invoice.number}"
    with translation.override("en"):
        assert entry.comment_shown == f"Payment of invoice {invoice.number}"


def test_a_row_stored_with_the_payment_number_still_reads():
    old = StoredText("Invoice %(number)s, payment #%(id)s", number="РАХ-2026-00004", id=16)
    with translation.override("uk"):
        assert old.render() == "Рахунок РАХ-2026-00004, платіж №16"
