"""The invoice list's summary adds up (issue 17): Invoiced = Paid + Not paid + Archived
unpaid, whatever mix of statuses is filtered. A partly paid invoice counts its paid part as
paid and the rest as not paid; an archived one's unpaid rest is apart, never in "Not paid";
an overdue (expired) one is still not paid; a repeatable invoice paid again does not make
"Paid" exceed what was invoiced (the extra is shown apart). Amounts read as money in both
languages; the summary is the filtered list's, every page of it."""

from __future__ import annotations

import re

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_payments import make_account
from tests.pages import staff_page
from zapys.invoices import selectors, services
from zapys.invoices.models import Invoice
from zapys.payments.services import payment_succeed

S = Invoice.Status


def _invoice(org, amount: int, name: str = "Коваленко Олена", **kwargs) -> Invoice:
    return services.invoice_create(
        client=make_client(org, name=name),
        calculation="manual",
        amount=amount,
        actor=SYSTEM,
        **kwargs,
    )


def _set(invoice: Invoice, status: str, paid: int) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=status, paid_amount=paid)


@pytest.fixture
def mix(org, branch):
    """Six invoices, one of each kind (hryvnias): awaiting 1 000; partly paid 500 of
    1 500 (through the provider); paid 400; overdue 200; archived 2 850 with 850 paid;
    repeatable 300 paid twice."""
    make_account(org, "sandbox")
    awaiting = _invoice(org, 100_000, "Андрієнко Ірина")
    partly = _invoice(org, 150_000, "Бойко Павло", allow_partial=True)
    payment = services.invoice_payment_start(invoice=partly, actor=SYSTEM, amount=50_000)
    payment_succeed(payment=payment, actor=SYSTEM)
    paid = _invoice(org, 40_000, "Василенко Олег")
    _set(paid, S.PAID, 40_000)
    overdue = _invoice(org, 20_000, "Гнатюк Світлана")
    _set(overdue, S.EXPIRED, 0)
    archived = _invoice(org, 285_000, "Дорошенко Анна")
    _set(archived, S.PARTIALLY_PAID, 85_000)
    services.invoice_archive(invoice=archived, actor=SYSTEM)
    again = _invoice(org, 30_000, "Єременко Юрій", repeatable=True)
    _set(again, S.PAID, 60_000)
    partly.refresh_from_db()
    assert (partly.status, partly.paid_amount) == (S.PARTIALLY_PAID, 50_000)
    return {
        "awaiting": awaiting,
        "partly": partly,
        "paid": paid,
        "overdue": overdue,
        "archived": archived,
        "again": again,
    }


def _cards(html: str) -> dict[str, str]:
    block = html.split('data-testid="invoice-totals"')[1].split("</form>")[0]
    found = re.findall(r'data-testid="total-([a-z-]+)">([^<]*)<', block)
    return {key: value.replace("\xa0", " ") for key, value in found}


def test_the_totals_add_up(org, mix):
    totals = selectors.invoices_totals(selectors.invoices_list(selectors.InvoiceFilters()))
    assert totals == selectors.Totals(
        count=6,
        amount=625_000,
        paid=205_000,  # 500 + 400 + 850 + 300 (the repeatable's second 300 apart)
        due=220_000,  # 1 000 + 1 000 (the partly paid's rest) + 200 overdue
        archived_unpaid=200_000,
        paid_again=30_000,
    )
    assert totals.amount == totals.paid + totals.due + totals.archived_unpaid


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "uk",
            {
                "count": "6",
                "amount": "6 250,00 грн",
                "paid": "2 050,00 грн",
                "paid-again": "+300,00 грн оплачено повторно",
                "due": "2 200,00 грн",
                "archived": "2 000,00 грн",
            },
        ),
        (
            "en",
            {
                "count": "6",
                "amount": "UAH 6,250.00",
                "paid": "UAH 2,050.00",
                "paid-again": "+UAH 300.00 paid again",
                "due": "UAH 2,200.00",
                "archived": "UAH 2,000.00",
            },
        ),
    ],
)
def test_the_summary_reads_as_money_in_each_language(
    staff_client, owner, org, mix, language, expected
):
    html = staff_page(staff_client, owner, language, "invoices:list")
    assert _cards(html) == expected
    labels = {
        "uk": ["Виставлено", "Оплачено", "Не оплачено", "В архіві, не оплачено"],
        "en": ["Invoiced", "Paid", "Not paid", "Archived unpaid"],
    }[language]
    totals = html.split('data-testid="invoice-totals"')[1].split("</form>")[0]
    for label in labels:
        assert f">{label}<" in totals


def test_the_summary_is_the_filtered_lists(staff_client, owner, org, mix):
    staff_page(staff_client, owner, "uk", "invoices:list")  # the owner reads Ukrainian
    partly = staff_client.get("/finance/invoices/", {"status": "partially_paid"}).content.decode()
    assert partly.count('data-testid="invoice-row"') == 1
    assert _cards(partly) == {
        "count": "1",
        "amount": "1 500,00 грн",
        "paid": "500,00 грн",
        "due": "1 000,00 грн",
        "archived": "0,00 грн",
    }
    archived = staff_client.get("/finance/invoices/", {"status": "archived"}).content.decode()
    assert archived.count('data-testid="invoice-row"') == 1
    cards = _cards(archived)
    assert (cards["due"], cards["archived"], cards["paid"]) == (
        "0,00 грн",
        "2 000,00 грн",
        "850,00 грн",
    )
    one = staff_client.get("/finance/invoices/", {"search": "Гнатюк"}).content.decode()
    assert one.count('data-testid="invoice-row"') == 1
    assert (_cards(one)["count"], _cards(one)["due"]) == ("1", "200,00 грн")


def test_the_summary_counts_every_page_not_only_the_first(staff_client, owner, org, branch):
    for _ in range(52):  # the list shows 50 a page
        _invoice(org, 10_000)
    html = staff_page(staff_client, owner, "uk", "invoices:list")
    assert html.count('data-testid="invoice-row"') == 50
    assert _cards(html)["count"] == "52" and _cards(html)["due"] == "5 200,00 грн"


@pytest.mark.parametrize(
    ("language", "not_paid", "archived_unpaid"),
    [("uk", "Не оплачено", "В архіві, не оплачено"), ("en", "Not paid", "Archived unpaid")],
)
def test_the_detail_page_says_what_is_left(
    staff_client, owner, org, mix, language, not_paid, archived_unpaid
):
    def due_row(key: str) -> str:
        html = staff_page(staff_client, owner, language, "invoices:detail", mix[key].pk)
        if 'data-testid="invoice-due"' not in html:
            return ""
        before, after = html.split('data-testid="invoice-due">')
        label = before.rsplit('<dt class="col-5">', 1)[1].split("<")[0]
        return f"{label}: {after.split('<')[0]}".replace("\xa0", " ")

    money = {"uk": "1 000,00 грн", "en": "UAH 1,000.00"}[language]
    assert due_row("partly") == f"{not_paid}: {money}"
    money = {"uk": "2 000,00 грн", "en": "UAH 2,000.00"}[language]
    assert due_row("archived") == f"{archived_unpaid}: {money}"
    assert due_row("paid") == "" and due_row("again") == ""


def test_a_refused_archive_changes_neither_the_invoice_nor_the_summary(
    staff_client, owner, org, mix
):
    before = selectors.invoices_totals(selectors.invoices_list(selectors.InvoiceFilters()))
    rows = list(Invoice.objects.order_by("id").values("id", "status", "paid_amount"))
    response = staff_client.post("/finance/invoices/archive/", {"ids": [mix["paid"].pk]})
    assert response.status_code == 200
    assert list(Invoice.objects.order_by("id").values("id", "status", "paid_amount")) == rows
    after = selectors.invoices_totals(selectors.invoices_list(selectors.InvoiceFilters()))
    assert after == before
