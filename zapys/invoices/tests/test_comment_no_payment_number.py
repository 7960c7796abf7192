"""An invoice's ledger comment names the invoice — a document's number the client has too —
and not the payment's internal number (issue 17). Rows stored before keep their text."""

from __future__ import annotations

import pytest
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


def test_a_row_stored_with_the_payment_number_reads_as_a_new_row():
    """«Рахунок РАХ-2026-00004, платіж №16»: staff find that number nowhere. The old row
    keeps its msgid and parameters (the id too) and is read in today's words."""
    old = Entry(
        comment="Рахунок РАХ-2026-00004, платіж №16",
        comment_text={
            "msgid": "Invoice %(number)s, payment #%(id)s",
            "params": {"number": "РАХ-2026-00004", "id": 16},
        },
    )
    refund = StoredText("Refund of invoice %(number)s, payment #%(id)s", number="INV-7", id=3)
    with translation.override("uk"):
        assert old.comment_shown == "Оплата рахунку РАХ-2026-00004"
        assert refund.render() == "Повернення за рахунком INV-7"
    with translation.override("en"):
        assert old.comment_shown == "Payment of invoice РАХ-2026-00004"
        assert refund.render() == "Refund of invoice INV-7"
    assert old.comment_text == {
        "msgid": "Invoice %(number)s, payment #%(id)s",
        "params": {"number": "РАХ-2026-00004", "id": 16},
    }  # nothing stored changes


@pytest.mark.parametrize("msgid", services.FORMER_TEXTS)
def test_the_former_texts_stay_in_the_catalogue(msgid):
    # the fallback, and what makemessages must not drop
    with translation.override("uk"):
        assert translation.gettext(msgid) != msgid
