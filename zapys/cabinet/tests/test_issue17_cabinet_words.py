"""Issue 17 on the client's cabinet: words a client cannot confuse, every row saying what
it is, one date format, receipts in one list by date, and past visits with their
specialist and branch."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM, make_staff
from tests.factories_ledger import make_entry, make_membership, make_payment_type
from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.invoices.services import invoice_create
from zapys.ledger.models import SalesReceipt
from zapys.ledger.services import sales_receipt_create
from zapys.schedule.models import Attendance
from zapys.schedule.services import attendance_mark


def _page(client, token: str, lang: str = "en") -> str:
    client.cookies["django_language"] = lang
    response = client.get(f"/c/{token}/")
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


@pytest.mark.parametrize(
    ("language", "added", "taken", "old"),
    [
        ("en", "Total added to the balance", "Total taken from the balance", "Charged in total"),
        ("uk", "Усього внесено на баланс", "Усього списано з балансу", "Усього нараховано"),
    ],
)
def test_the_totals_use_words_a_client_cannot_mix_up_and_add_up(
    org, client, language, added, taken, old
):
    """Not "Зараховано на баланс" beside "Усього нараховано" (one syllable apart, opposite
    meanings): added − taken is the balance shown above them."""
    customer = make_client(org)
    make_entry(customer, kind="debit", amount=952_500)
    make_entry(customer, kind="credit", amount=737_500, purpose="service")
    html = _page(client, customer.cabinet_token, language)
    balance = _text(_section(html, "balance"))
    amount = "2,150.00" if language == "en" else "2 150,00"
    paid = "9,525.00" if language == "en" else "9 525,00"
    charged = "7,375.00" if language == "en" else "7 375,00"
    assert amount in balance
    assert f"{added}: {paid}" in balance.replace("\xa0", " ").replace("UAH ", "")
    assert f"{taken}: {charged}" in balance.replace("\xa0", " ").replace("UAH ", "")
    assert old not in html and "Зараховано" not in html


def test_a_payment_says_what_it_paid_for_and_never_payment_twice_nor_a_receipt_id(
    org, branch, client
):
    """ "You paid · Payment" said nothing: a payment with a receipt names the receipt's
    first line; one without a receipt says where the money went ("You paid · to the
    balance": «Ви сплатили +700,00 грн» alone said nothing, fifth tour); a charge with a receipt line
    but no cause names the line, in the totals' words ("Taken from the balance", «Списано»,
    not the accountant's «Нараховано»). No row shows a receipt's database id as a number."""
    customer = make_client(org)
    cash = make_payment_type(branch)
    paid = make_entry(customer, kind="debit", amount=30_000)
    sold = make_entry(customer, kind="credit", amount=30_000, purpose="service")
    sales_receipt_create(
        organization=org,
        branch=branch,
        client=customer,
        lines=[("Педикюр", 30_000, sold)],
        payments=[(cash, 30_000, paid)],
        actor=SYSTEM,
    )
    make_entry(customer, kind="debit", amount=70_000)  # entered on the card: no receipt
    for language, you_paid, charged, payment_word, to_balance in (
        ("en", "You paid", "Taken from the balance", "Payment", "to the balance"),
        ("uk", "Ви сплатили", "Списано", "Оплата", "на баланс"),
    ):
        rows = [
            _text(row.split(">", 1)[1].split("</div>\n    </div>")[0])
            for row in _section(_page(client, customer.cabinet_token, language), "money").split(
                'data-testid="entry"'
            )[1:]
        ]
        assert len(rows) == 3, rows
        assert rows[0].startswith(f"{you_paid} · {to_balance} "), rows[0]
        assert rows[1].startswith(f"{charged} · Педикюр"), rows[1]
        assert rows[2].startswith(f"{you_paid} · Педикюр"), rows[2]
        assert all(f"· {payment_word}" not in row for row in rows), rows
        assert not any(re.search(r"[#№]\s*\d", row) for row in rows), rows
        assert all("Нараховано" not in row and "Charged" not in row for row in rows), rows


def test_receipts_are_one_list_newest_first(org, branch, client):
    """Receipts are written in any order (history entered later): the list is by date,
    newest first. A receipt is named by its date (it has no number of its own: its database
    id, «Чек №172», is no number for a client)."""
    customer = make_client(org)
    now = timezone.now()
    made = []
    for days_ago in (30, 1, 10):
        receipt = sales_receipt_create(
            organization=org,
            branch=branch,
            client=customer,
            lines=[(f"Послуга {days_ago}", 10_000)],
            payments=[],
            actor=SYSTEM,
        )
        SalesReceipt.objects.filter(pk=receipt.pk).update(created_at=now - timedelta(days=days_ago))
        made.append((days_ago, receipt.pk))
    html = _section(_page(client, customer.cabinet_token), "receipts")
    shown = re.findall(r"Послуга (\d+)<", html)
    assert shown == [str(days_ago) for days_ago, _ in sorted(made)]
    assert "Receipt of " in html and "Receipt #" not in html
    assert not any(f"#{pk}" in html or f"№{pk}" in html for _, pk in made)
    uk = _section(_page(client, customer.cabinet_token, "uk"), "receipts")
    assert "Чек від " in uk and "№" not in uk


def test_past_visits_name_the_specialist_and_branch_as_upcoming_ones_do(org, branch, client):
    customer = make_client(org)
    staff = make_staff(org, "specialist", branches=[branch])
    staff.first_name, staff.last_name = "Ірина", "Бондар"
    staff.save(update_fields=["first_name", "last_name"])
    visit = make_visit(
        org, branch, client=customer, staff=staff, service=make_service(org),
        starts_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    attendance_mark(
        attendance=Attendance.objects.get(visit=visit, client=customer),
        state="attended",
        actor=SYSTEM,
    )
    past = _text(_section(_page(client, customer.cabinet_token), "history"))
    assert "Ірина Бондар" in past and branch.name in past


def test_dates_in_sentences_have_one_format(org, client):
    """ "pay by 31.12.2026 23:59" beside "4 December 2026": every date is written the one
    way, with the month in words."""
    customer = make_client(org)
    make_membership(customer, starts_on=timezone.localdate())
    invoice_create(
        client=customer,
        calculation="manual",
        amount=70_000,
        actor=SYSTEM,
        comment="December",
        pay_until=timezone.localdate() + timedelta(days=20),
    )
    make_entry(customer, kind="debit", amount=10_000)
    for language, pay_by in (("en", "pay by "), ("uk", "сплатити до ")):
        html = _page(client, customer.cabinet_token, language)
        assert not re.search(r"\b\d{2}[./]\d{2}[./]\d{4}\b", _text(html)), language
        assert pay_by in html
        assert re.search(rf"{pay_by}\d{{1,2}} \w+ \d{{4}}, \d{{2}}:\d{{2}}", html), language


def test_the_family_switch_reads_plainly(org, client):
    parent = make_client(org, phone="+380501112200")
    make_client(org, phone="+380501112200")
    html = _page(client, parent.cabinet_token)
    assert "Family member's page:" in html and "whose page to show" not in html
    uk = _page(client, parent.cabinet_token, "uk")
    assert "Сторінка члена родини:" in uk and "чию сторінку показати" not in uk


def test_fiscal_receipt_links_and_sale_receipts_are_sorted_together():
    """The fiscal receipts' links were listed above all sale receipts whatever their dates."""
    from types import SimpleNamespace

    from zapys.cabinet.selectors import CabinetCard
    from zapys.ledger.receipt_links import ReceiptLink

    now = timezone.now()
    old_fiscal = ReceiptLink(
        title="F", amount=1, url="https://x/1", created_at=now - timedelta(days=9)
    )
    sales = [SimpleNamespace(pk=n, created_at=now - timedelta(days=n)) for n in (1, 20)]
    card = SimpleNamespace(receipts=sales, fiscal=[old_fiscal])
    ordered = CabinetCard.all_receipts.fget(card)  # type: ignore[attr-defined]
    assert ordered == [sales[0], old_fiscal, sales[1]]
