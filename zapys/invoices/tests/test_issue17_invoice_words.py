"""Invoice pages speak plainly (issue 17): an open-ended payment window reads "from 4
December 2026" (not "– not set"); nothing paid reads 0,00 in the list as on the detail page;
"Not paid" leaves archived invoices out; an overdue (expired) invoice's badge is a warning,
not the grey of archived; the rule form lists every placeholder its template takes and its
time field says what it is."""

from __future__ import annotations

from html import unescape

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.pages import staff_page
from zapys.invoices import services
from zapys.invoices.forms import RuleForm
from zapys.invoices.models import Invoice


def _invoice(org, amount: int, **kwargs) -> Invoice:
    return services.invoice_create(
        client=make_client(org, name="Коваленко Олена"),
        calculation="manual",
        amount=amount,
        actor=SYSTEM,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("language", "due", "none"),
    [("en", "Due", "no end date"), ("uk", "Сплатити до", "без обмеження")],
)
def test_an_open_ended_invoice_is_due_the_day_it_is_payable_and_its_link_has_no_end(
    staff_client, owner, org, language, due, none
):
    # One due date (Invoice.due_on): an invoice for no period with no end to its link is
    # due the day it can be paid; the link's own end reads apart from it.
    invoice = _invoice(org, 40_000)
    assert invoice.pay_until is None and invoice.due_on == invoice.pay_from
    day = f"{invoice.due_on.day} "
    html = staff_page(staff_client, owner, language, "invoices:detail", invoice.pk)
    row = html.split("invoice-paid")[1].split("</dl>")[0]
    assert f">{due}</dt>" in row
    assert row.split('data-testid="invoice-due-on">')[1].startswith(day)
    assert row.split('data-testid="invoice-pay-until">')[1].startswith(none + "<")
    assert "invoice-pay-from" not in row  # payable from the day of issue: not repeated
    assert "not set" not in row and "не задано" not in row and ">з " not in row
    listing = staff_page(staff_client, owner, language, "invoices:list")
    assert f"<th>{due}</th>" in listing
    shown = invoice.due_on.strftime("%d.%m.%Y") if language == "uk" else None
    cell = listing.split('data-testid="invoice-due-on">')[1].split("<")[0]
    assert shown is None or cell == shown


def test_not_paid_leaves_archived_out_and_nothing_paid_reads_zero(staff_client, owner, org):
    _invoice(org, 100_000)
    archived = _invoice(org, 285_000)
    services.invoice_archive(invoice=archived, actor=SYSTEM)
    expired = _invoice(org, 20_000)
    Invoice.objects.filter(pk=expired.pk).update(status=Invoice.Status.EXPIRED)
    html = staff_page(staff_client, owner, "uk", "invoices:list")
    due = html.split('data-testid="total-due">')[1].split("<")[0]
    assert due.replace("\xa0", " ").startswith("1 200,00"), due  # 1 000 + 200, not + 2 850
    body = html.split("<tbody")[1].split("</tbody>")[0]
    assert '<td class="text-end text-nowrap">—</td>' not in body and "0,00" in body
    expired_badge = body.split(str(Invoice.Status.EXPIRED.label))[0].rsplit("<span", 1)[1]
    assert "text-bg-secondary" not in expired_badge


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_rule_form_offers_every_placeholder_and_labels_the_time(org, language):
    """Every tag is a named button under the text (none is listed in the help)."""
    from django.utils import translation

    from zapys.core.tenancy import org_scope

    with org_scope(org), translation.override(language):
        form = RuleForm()
        offered = [name for name, _label in form.variables]
        assert "bill.amount_url" in offered and "bill.amount_subjects_url" in offered
        label = str(form.fields["at"].label)
    assert label in {"en": ["Send at (time)"], "uk": ["Час надсилання"]}[language]


@pytest.mark.parametrize(
    ("language", "chat", "test_mode"),
    [
        ("en", "Client's Telegram chat", "Test mode: not sent"),
        ("uk", "Чат клієнта в Telegram", "Тестовий режим: не надіслано"),
    ],
)
def test_the_delivery_log_names_a_chat_and_the_test_mode_in_words(
    staff_client, owner, org, language, chat, test_mode
):
    from zapys.messaging.models import Message

    invoice = _invoice(org, 40_000)
    for n, (channel, transport, recipient) in enumerate(
        [("telegram", "telegram", "900000077"), ("sms", "console", "+380670000001")]
    ):
        Message.objects.create(
            organization=org,
            client=invoice.client,
            recipient=recipient,
            channel=channel,
            transport_code=transport,
            event="invoice.reminder",
            text="Text",
            idempotency_key=f"log:{n}",
            status="delivered",
            related_type="invoices.invoice",
            related_id=str(invoice.pk),
        )
    html = unescape(staff_page(staff_client, owner, language, "invoices:detail", invoice.pk))
    assert "900000077" not in html  # the chat id means nothing to a person
    assert chat in html and "+380 67 000 00 01" in html  # a phone as people write it
    assert html.count('data-testid="message-status"') == 2
    assert html.count(test_mode) == 1  # the console's SMS; the Telegram one was delivered
