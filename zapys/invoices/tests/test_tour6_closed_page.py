"""Tour 6, #18 and #33. A link that no longer takes money still says what the invoice is:
its number, for whom, what for and the period, and what is left to pay (an archived one:
its amount and what was paid), above the notice and the phone; opening it changes nothing.
The reminder's `{bill.amount}` is what is still due, and its button says so («Сума до
сплати»), while the tag stays `{bill.amount}` for the texts already stored."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_messaging import make_console_accounts
from tests.pages import staff_page
from zapys.core.models import AuditLog
from zapys.invoices import rules, services
from zapys.invoices.models import Invoice
from zapys.payments.models import Payment

WORDS = {
    "uk": {
        "expired": "Термін оплати цього рахунку минув, зверніться до адміністратора.",
        "archived": "Цей рахунок закрито, оплатити його за цим посиланням уже не можна",
        "left": "Залишилось сплатити",
        "amount": "Сума рахунку",
        "paid": "Уже сплачено",
        "period": "1 листопада 2026",
        "2400": "2 400,00 грн",
        "1400": "1 400,00 грн",
        "1000": "1 000,00 грн",
    },
    "en": {
        "expired": "The payment period of this invoice has expired, please contact the "
        "administrator.",
        "archived": "This invoice is closed and can no longer be paid by this link",
        "left": "Left to pay",
        "amount": "Invoice amount",
        "paid": "Already paid",
        "period": "1 November 2026",
        "2400": "UAH 2,400.00",
        "1400": "UAH 1,400.00",
        "1000": "UAH 1,000.00",
    },
}


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _partly_paid(org) -> Invoice:
    """2 400,00 грн for Mark, paid by his mother, 1 000,00 грн of it paid."""
    today = services.local_today(org)
    invoice = services.invoice_create(
        client=make_client(org, name="Коваленко Марко"),
        payer=make_client(org, name="Коваленко Олена"),
        calculation="manual",
        amount=240_000,
        comment="Заняття з англійської",
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        pay_until=today + timedelta(days=5),
        actor=SYSTEM,
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        paid_amount=100_000, status=Invoice.Status.PARTIALLY_PAID
    )
    invoice.refresh_from_db()
    return invoice


def _text(html: str) -> str:
    """What a person reads: tags out, spaces (and the money's no-break one) as one."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " "))


def _snapshot(invoice: Invoice) -> tuple:
    invoice.refresh_from_db()
    return (
        invoice.status,
        invoice.paid_amount,
        invoice.payment_id,
        Payment.objects.count(),
        AuditLog.objects.count(),
    )


@pytest.mark.parametrize("language", ["uk", "en"])
def test_an_expired_link_says_what_is_owed_above_the_notice(org, client, language):
    org.phone = "+380441234567"
    org.save()
    invoice = _partly_paid(org)
    today = services.local_today(org)
    Invoice.objects.filter(pk=invoice.pk).update(
        pay_from=today - timedelta(days=10), pay_until=today - timedelta(days=1)
    )
    before = _snapshot(invoice)
    html = client.get(f"/i/{invoice.token}/?lang={language}").content.decode()
    words = WORDS[language]
    read = _text(html)
    assert invoice.number in read
    assert "Коваленко Олена" in read and "Коваленко Марко" in read  # who pays, for whom
    assert "Заняття з англійської" in read and words["period"] in read
    assert f"{words['left']} {words['1400']}" in read
    assert f"{words['paid']} {words['1000']}" in read
    # the details first, then the notice and the phone; no form
    assert read.index(words["left"]) < read.index(words["expired"])
    assert 'href="tel:+380441234567"' in html and "<form" not in html
    assert words["amount"] not in read and words["archived"] not in read
    refused = client.post(f"/i/{invoice.token}/?lang={language}", {"action": "start"})
    assert refused.status_code == 200
    # an open link counts its first view (the funnel); nothing else moves
    assert _snapshot(invoice)[:4] == before[:4]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_an_archived_invoice_says_what_it_was_and_that_it_is_closed(org, client, language):
    invoice = _partly_paid(org)
    services.invoice_archive(invoice=invoice, actor=SYSTEM)
    before = _snapshot(invoice)
    html = client.get(f"/i/{invoice.token}/?lang={language}").content.decode()
    words = WORDS[language]
    read = _text(html)
    assert invoice.number in read and "Заняття з англійської" in read
    assert (
        f"{words['amount']} {words['2400']}" in read and f"{words['paid']} {words['1000']}" in read
    )
    # withdrawn, not run out: its own words, and no "left to pay" to chase
    assert words["archived"] in read and words["expired"] not in read
    assert words["left"] not in read
    # nor "the link works until: no end date" under a closed link
    assert {"uk": "Посилання діє до", "en": "Link works until"}[language] not in read
    assert read.index(words["amount"]) < read.index(words["archived"])
    client.post(f"/i/{invoice.token}/", {"action": "start"})
    assert _snapshot(invoice)[:4] == before[:4]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_paid_invoice_past_its_window_says_paid_not_expired(org, client, language):
    invoice = _partly_paid(org)
    today = services.local_today(org)
    Invoice.objects.filter(pk=invoice.pk).update(
        paid_amount=240_000,
        status=Invoice.Status.PAID,
        pay_from=today - timedelta(days=10),
        pay_until=today - timedelta(days=1),
    )
    read = _text(client.get(f"/i/{invoice.token}/?lang={language}").content.decode())
    assert {"uk": "Оплачено. Дякуємо!", "en": "Paid. Thank you!"}[language] in read
    assert WORDS[language]["expired"] not in read and WORDS[language]["left"] not in read


@pytest.mark.parametrize(("language", "label"), [("uk", "Сума до сплати"), ("en", "Amount due")])
def test_the_reminders_amount_button_names_what_it_fills_in(
    staff_client, owner, org, language, label
):
    make_console_accounts(org)
    invoice = _partly_paid(org)
    level = rules.dunning_level_create(
        organization=org, days_from_due=0, actor=SYSTEM, template="До сплати {bill.amount}"
    )
    html = staff_page(staff_client, owner, language, "invoices:dunning_edit", level.pk)
    chips = dict(
        re.findall(r'data-variable="([^"]+)"[^>]*>\s*<i class="bi bi-plus"></i>\s*([^<]+)<', html)
    )
    assert unescape(chips["bill.amount"]).strip() == label
    assert "Invoice amount" not in html and "Сума рахунку" not in html
    # the stored text keeps its tag, and the preview fills it with what is still due
    read = _text(html)
    assert "До сплати 1 400,00 грн" in read and "2 400,00 грн" not in read
    assert invoice.due == 140_000
