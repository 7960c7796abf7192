"""The cabinet after the fifth tour: a mother's page says whom a daughter's invoice is for,
the statement's «show all» shows every operation, and each upcoming visit says how to
cancel or move it (the booking's cancel page where there is one — it applies the
cancellation policy — and the branch's phone)."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM, make_staff
from tests.factories_ledger import make_entry
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_visit,
)
from zapys.cabinet.selectors import ENTRIES_LIMIT, client_cancel_offered
from zapys.invoices.services import client_payer_set, invoice_create

pytestmark = pytest.mark.django_db


def _page(client, token: str, query: str = "", lang: str = "en") -> str:
    client.cookies["django_language"] = lang
    response = client.get(f"/c/{token}/{query}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _titles(html: str) -> list[str]:
    return [
        part.split("<div>")[1].split("</div>")[0]
        for part in html.split('data-testid="payable-title">')[1:]
    ]


@pytest.mark.parametrize(("language", "words"), [("en", "for"), ("uk", "за кого:")])
def test_the_payers_page_says_whom_a_childs_invoice_is_for(org, client, language, words):
    mother = make_client(org, "Коваль Ірина", phone="+380631234567")
    daughter = make_client(org, "Коваль Софія", phone="+380509990000")
    client_payer_set(client=daughter, payer=mother, actor=SYSTEM)
    invoice = invoice_create(
        client=daughter, calculation="manual", amount=70_000, actor=SYSTEM, comment="Стретчинг"
    )
    assert invoice.payer_id == mother.pk
    [title] = _titles(_page(client, mother.cabinet_token, lang=language))
    assert title.endswith(f"({words} Коваль Софія)"), title
    # the daughter's own card (opened from the mother's link) names no one
    [own] = _titles(_page(client, mother.cabinet_token, f"?card={daughter.pk}", language))
    assert "Софія" not in own and invoice.number in own


@pytest.mark.parametrize(("language", "show"), [("en", "Show all"), ("uk", "Показати всі")])
def test_the_statement_shows_all_operations_on_request(org, client, language, show):
    customer = make_client(org)
    for n in range(ENTRIES_LIMIT + 4):
        make_entry(customer, kind="debit", amount=10_000 + n)
    html = _page(client, customer.cabinet_token, lang=language)
    assert html.count('data-testid="entry"') == ENTRIES_LIMIT
    link = html.split('data-testid="entries-all">')[0].rsplit("<a ", 1)[1]
    assert f'href="?entries=all&amp;lang={language}#money"' in link
    assert f'data-testid="entries-all">{show}</a>' in html
    everything = _page(client, customer.cabinet_token, "?entries=all", language)
    assert everything.count('data-testid="entry"') == ENTRIES_LIMIT + 4
    assert 'data-testid="entries-all"' not in everything
    assert 'data-testid="entries-shown"' not in everything


def test_show_all_keeps_the_family_card(org, client):
    parent = make_client(org, "Мельник Ольга", phone="+380631234567")
    child = make_client(org, "Мельник Тарас", phone="+380509990000")
    client_payer_set(client=child, payer=parent, actor=SYSTEM)
    for n in range(ENTRIES_LIMIT + 1):
        make_entry(child, kind="debit", amount=10_000 + n)
    html = _page(client, parent.cabinet_token, f"?card={child.pk}")
    assert f'href="?card={child.pk}&amp;entries=all&amp;lang=en#money"' in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "To cancel or move a visit, call us:"),
        ("uk", "Щоб скасувати чи перенести візит, зателефонуйте нам:"),
    ],
)
def test_the_upcoming_visits_say_how_to_cancel_or_move_them(org, client, branch, language, words):
    branch.phone = "+380441234567"
    branch.save(update_fields=["phone"])
    enable_prepayment(org)
    customer = make_client(org)
    staff = make_staff(org, "specialist", branches=[branch])
    booked = make_visit(org, branch, client=customer, staff=staff)
    booking = make_booking(org, branch, visit=booked, booking_type=make_booking_type(org))
    make_visit(org, branch, client=customer, staff=staff)  # booked by phone: no link
    html = _page(client, customer.cabinet_token, lang=language)
    if client_cancel_offered():
        assert html.count('data-testid="cancel-visit"') == 1
        assert f'href="/p/{booking.token}/cancel/"' in html
    # the call once for the list, not under every visit; the number as people write it
    assert html.count('data-testid="call-to-change"') == 1
    call = html.split('data-testid="call-to-change">')[1].split("</div>")[0]
    assert call.startswith(words)
    assert call.count('href="tel:+380441234567"') == 1 and "+380441234567<" not in call


def test_no_phone_no_call_line(org, client, branch):
    customer = make_client(org)
    make_visit(org, branch, client=customer, staff=make_staff(org, "specialist", branches=[branch]))
    assert 'data-testid="call-to-change"' not in _page(client, customer.cabinet_token)


@pytest.mark.parametrize(
    ("language", "paid", "corrected"),
    [
        ("en", "You paid · to the balance", "Added to the balance · Correction"),
        ("uk", "Ви сплатили · на баланс", "Додано на баланс · Коригування"),
    ],
)
def test_a_payment_without_a_receipt_says_where_it_went_and_a_correction_is_no_payment(
    org, client, language, paid, corrected
):
    customer = make_client(org)
    make_entry(customer, kind="debit", amount=70_000)
    make_entry(customer, kind="debit", amount=5_000, purpose="correction")
    html = _page(client, customer.cabinet_token, lang=language)
    rows = [
        " ".join(part.split('<div class="me-auto text-break">')[1].split("<div>")[1].split())
        for part in html.split('data-testid="entry"')[1:]
    ]
    assert [row.split("</div>")[0] for row in rows] == [corrected, paid]
