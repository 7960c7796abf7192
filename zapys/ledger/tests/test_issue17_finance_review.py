"""Issue 17, the finance pages' screenshot review: a penalty and a payment service's fee are
two purposes with two names (report, filter, export); one minus sign, the money filter's; the
finance settings' tables have headers and one pair of actions; the cash page gives the client
a column, short pages and constant queries; the add-payment form does not say "Payment" twice,
gives the amount its unit and a way back; "On credit" is red only when something is owed."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_entry, make_payment_type
from tests.pages import staff_page
from zapys.ledger import services as ledger
from zapys.ledger.models import Entry, FinancialOperation
from zapys.ledger.views import OPERATIONS_PER_PAGE

pytestmark = pytest.mark.django_db


def test_a_penalty_and_a_payment_service_fee_are_named_apart(staff_client, owner, org, branch):
    customer = make_client(org)
    make_entry(customer, kind="credit", amount=6_000, purpose="fee", branch=branch)
    make_entry(customer, kind="credit", amount=4_000, purpose="service_fee", branch=branch)
    en = staff_page(staff_client, owner, "en", "ledger:payments_report")
    rows = re.findall(r'data-testid="report-row">(.*?)</tr>', en, re.S)
    assert len(rows) == 2
    # English says "fee" and "commission" as the comments and the reports do (tour 6, #11)
    assert any("<td>Fee</td>" in r for r in rows)
    assert any("<td>Payment service commission</td>" in r for r in rows)
    assert "Penalty" not in en and "Payment service fee" not in en
    # the filter offers both, each by its own name
    assert '<option value="fee">Fee</option>' in en
    assert '<option value="service_fee">Payment service commission</option>' in en
    uk = staff_page(staff_client, owner, "uk", "ledger:payments_report")
    assert "<td>Штраф</td>" in uk and "<td>Комісія платіжного сервісу</td>" in uk
    assert "<td>Комісія</td>" not in uk
    csv = staff_client.get(reverse("ledger:payments_report"), {"export": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert "Штраф" in text and "Комісія платіжного сервісу" in text


def test_a_minus_is_the_money_filters_everywhere(staff_client, owner, org, branch):
    customer = make_client(org)
    make_entry(customer, kind="credit", amount=281_000, purpose="service", branch=branch)
    uk = staff_page(staff_client, owner, "uk", "ledger:payments_report")
    amount = re.search(r'data-testid="report-amount">([^<]*)<', uk)
    net = re.search(r'data-testid="total-net">([^<]*)<', uk)
    assert amount and net
    assert amount.group(1) == net.group(1) == "-2\xa0810,00\xa0грн"
    assert "−" not in uk  # no second kind of minus on the page


def test_finance_settings_tables_have_headers_and_one_pair_of_actions(
    staff_client, owner, org, branch
):
    make_payment_type(branch)
    ledger.finance_article_create(organization=org, kind="expense", name="Оренда", actor=SYSTEM)
    ledger.payment_type_create(
        organization=org, branch=branch, method="card", name="Термінал Приват", actor=SYSTEM
    )
    en = staff_page(staff_client, owner, "en", "ledger:settings")
    for table in ("payment-types", "categories", "cash-desks"):
        assert re.search(rf'data-testid="{table}"><thead><tr><th>Name</th>', en), table
    rows = re.findall(r'data-testid="payment-type-row">(.*?)</tr>', en, re.S)
    assert len(rows) == 2
    cash, terminal = sorted(rows, key=lambda r: "Термінал" in r)
    # "Cash | Cash": the method is not repeated beside a name that already says it, and
    # no "—" stands where a method reads as missing
    assert cash.count("Cash") == 1 and "—" not in cash and "payment-type-method" not in cash
    # a name that does not say its method is followed by it
    assert re.search(r'Термінал Приват <span[^>]*payment-type-method">· Card</span>', terminal)
    assert "<th>Method</th>" not in en
    assert "Switch off" not in en and en.count(">Archive</button>") == 3
    uk = staff_page(staff_client, owner, "uk", "ledger:settings")
    assert "Вимкнути" not in uk and uk.count(">В архів</button>") == 3


def _operations(org, branch, n):
    pt = make_payment_type(branch)
    for i in range(n):
        ledger.financial_operation_create(
            organization=org,
            branch=branch,
            kind="income",
            amount=10_000 + i,
            actor=SYSTEM,
            payment_type=pt,
            client=make_client(org, f"Клієнтка {i}"),
            comment="Манікюр",
        )


def test_cash_operations_give_the_client_a_column_and_pages(staff_client, owner, org, branch):
    _operations(org, branch, OPERATIONS_PER_PAGE + 2)
    en = staff_page(staff_client, owner, "en", "ledger:operations")
    assert en.count('data-testid="operation-row"') == OPERATIONS_PER_PAGE
    assert re.search(r'data-testid="operation-client"><a href="/clients/\d+/">Клієнтка', en)
    assert "Манікюр · Клієнтка" not in en  # the name is no longer inside the comment
    second = staff_client.get(reverse("ledger:operations"), {"page": 2}).content.decode()
    assert second.count('data-testid="operation-row"') == 2


def test_cash_operations_page_has_constant_queries(
    staff_client, owner, org, branch, django_assert_max_num_queries
):
    _operations(org, branch, 2)
    url = reverse("ledger:operations")
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    _operations(org, branch, 12)
    assert FinancialOperation.objects.count() == 14
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url)


def test_the_entry_form_says_payment_once_with_a_unit_and_a_way_back(
    staff_client, owner, org, branch
):
    customer = make_client(org)
    uk = staff_page(staff_client, owner, "uk", "ledger:client_entry_new", customer.pk)
    assert len(re.findall(r"<label[^>]*>Оплата</label>", uk)) == 0  # the purpose is an option
    assert "Сума, грн" in uk
    back = re.search(r'href="([^"]+)" data-testid="cancel-entry">Скасувати<', uk)
    assert back and back.group(1) == f"/clients/{customer.pk}/?tab=payments"
    # a bad amount: an error on the field, and nothing written
    url = reverse("ledger:client_entry_new", kwargs={"client_id": customer.pk})
    r = staff_client.post(url, {"kind": "debit", "amount": "abc", "purpose": "payment"})
    assert r.status_code == 200 and r.context["form"].errors["amount"]
    assert not Entry.objects.filter(client=customer).exists()


def test_on_credit_is_red_only_when_something_is_owed(staff_client, owner, org, branch):
    en = staff_page(staff_client, owner, "en", "ledger:day_sales")
    unpaid = re.search(r'<div class="([^"]*)" data-testid="day-unpaid">', en)
    assert unpaid and "text-danger" not in unpaid.group(1)


@pytest.mark.parametrize(
    ("language", "error"),
    [("uk", "Оберіть, як клієнт заплатив."), ("en", "Choose how the client paid.")],
)
def test_money_received_needs_the_way_it_was_paid(
    staff_client, owner, org, branch, language, error
):
    """Fifth tour: a payment recorded as received with «Спосіб оплати: Не вказано» was taken;
    the field now says what is missing and nothing is written. A charge needs no way."""
    customer = make_client(org)
    staff_page(staff_client, owner, language, "ledger:client_entry_new", customer.pk)
    url = reverse("ledger:client_entry_new", kwargs={"client_id": customer.pk})
    for purpose in ("payment", "top_up", "prepayment"):
        r = staff_client.post(url, {"kind": "debit", "amount": "100", "purpose": purpose})
        assert r.status_code == 200
        assert r.context["form"].errors["payment_type"] == [error]
    assert not Entry.objects.filter(client=customer).exists()
    cash = make_payment_type(branch)
    r = staff_client.post(
        url, {"kind": "debit", "amount": "100", "purpose": "payment", "payment_type": cash.pk}
    )
    assert r.status_code == 302
    r = staff_client.post(url, {"kind": "credit", "amount": "50", "purpose": "service"})
    assert r.status_code == 302
    assert sorted(Entry.objects.filter(client=customer).values_list("kind", flat=True)) == [
        "credit",
        "debit",
    ]
