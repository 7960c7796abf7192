"""A service that decides by an invoice's status reads the locked row, not the caller's
copy (issue 17, as `prepayments.booking_cancel`): a page loaded before a payment or an
archive, or the reminder job's list read before one, must not act on what was."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_messaging import make_console_accounts
from tests.factories_payments import make_account
from zapys.core.audit import AuditLog
from zapys.core.exceptions import Conflict
from zapys.core.tenancy import organization_zone
from zapys.invoices import rules, services
from zapys.invoices.models import DunningSent, Invoice
from zapys.messaging.models import Message
from zapys.payments.services import payment_succeed


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _invoice(org, **kwargs) -> Invoice:
    return services.invoice_create(
        client=make_client(org, name="Марченко Оксана"),
        calculation="manual",
        amount=40_000,
        actor=SYSTEM,
        **kwargs,
    )


def _pay(invoice: Invoice, amount: int | None = None) -> None:
    """The provider's word for a payment of the invoice, through the payments service."""
    fresh = Invoice.objects.get(pk=invoice.pk)
    payment = services.invoice_payment_start(invoice=fresh, actor=SYSTEM, amount=amount)
    payment_succeed(payment=payment, actor=SYSTEM)


def _snapshot() -> tuple[list, list, list]:
    return (
        list(Invoice.objects.order_by("id").values()),
        list(Message.objects.order_by("id").values_list("id", "text")),
        list(AuditLog.objects.order_by("id").values_list("id", "action")),
    )


def test_sending_a_stale_copy_of_an_invoice_archived_since_is_refused(org):
    make_console_accounts(org)
    invoice = _invoice(org)
    stale = Invoice.objects.get(pk=invoice.pk)  # the page the administrator opened
    assert (
        services.invoice_archive(invoice=Invoice.objects.get(pk=invoice.pk), actor=SYSTEM) is None
    )
    before = _snapshot()
    with pytest.raises(Conflict):
        services.invoice_send(invoice=stale, actor=SYSTEM)
    assert _snapshot() == before  # no message, no audit row, the invoice as it was


def test_sending_a_stale_copy_says_what_is_due_now(org, branch):
    make_account(org, "sandbox")
    make_console_accounts(org)
    invoice = _invoice(org, allow_partial=True)
    stale = Invoice.objects.get(pk=invoice.pk)  # loaded before the part was paid
    _pay(invoice, 15_000)
    message = services.invoice_send(invoice=stale, actor=SYSTEM)
    assert "250,00\xa0грн" in message.text and "400,00" not in message.text


def test_a_reminder_listed_before_a_payment_is_not_sent(org, branch, monkeypatch):
    """The job reads its candidates first; the invoice is paid before its turn comes."""
    make_account(org, "sandbox")
    make_console_accounts(org)
    today = services.local_today(org)
    invoice = _invoice(org, period_start=today)
    rules.dunning_level_create(organization=org, days_from_due=0, actor=SYSTEM)
    real_due_date = rules.due_date

    def paid_meanwhile(candidate: Invoice):
        # called per candidate after the list was read: the payment arrives now
        if Invoice.objects.get(pk=candidate.pk).status != "paid":
            _pay(candidate)
        return real_due_date(candidate)

    monkeypatch.setattr(rules, "due_date", paid_meanwhile)
    messages_before = Message.objects.count()
    assert rules.dunning_run(datetime.combine(today, time(10), organization_zone(org))) == 0
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Message.objects.count() == messages_before  # no reminder of a paid invoice
    assert not DunningSent.objects.exists()  # nor marked reminded: a refund may reopen it
