"""The payments report (/finance/payments/) lists money a client paid before being known (an
online sale bought by a stranger) as a payment with "no client yet", counts it in its
totals, and shows it once after it is attached: as the client's entry (issue 17: sale
3NF-DCB9 was on /payments/ but not here)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SYSTEM, make_branch
from tests.factories_ledger import make_client, make_payment_type
from tests.pages import staff_page
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry, PaymentType
from zapys.ledger.money import SoldLine, money_assign_to_client, money_received_unassigned
from zapys.ledger.services import entry_create

pytestmark = pytest.mark.django_db


def _stranger_paid(org, branch, amount=164_000):
    return money_received_unassigned(
        organization=org, amount=amount, article="membership_sales", actor=SYSTEM, cause=None,
        comment="Online sale: 8 visits", sold=[SoldLine("8 visits", amount)], branch=branch,
        payment_type=make_payment_type(branch, PaymentType.Method.ONLINE),
    )  # fmt: skip


def _paid_by_client(org, branch, amount=10_000):
    return entry_create(
        client=make_client(org, "Олена Коваленко"), kind=Entry.Kind.DEBIT, amount=amount,
        purpose=Entry.Purpose.PAYMENT, actor=SYSTEM, branch=branch,
        payment_type=make_payment_type(branch),
    )  # fmt: skip


def _clients(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'data-testid="report-client">(.*?)</td>', html, re.S)
    ]


def test_listed_and_counted_with_no_client_before_it_is_attached(staff_client, owner, org, branch):
    _paid_by_client(org, branch)
    _stranger_paid(org, branch)
    uk = staff_page(staff_client, owner, "uk", "ledger:payments_report")
    assert _clients(uk) == ["без клієнта", "Олена Коваленко"]
    en = staff_page(staff_client, owner, "en", "ledger:payments_report")
    assert _clients(en) == ["no client yet", "Олена Коваленко"]
    totals = staff_client.get(reverse("ledger:payments_report")).context["totals"]
    assert (totals.debit, totals.count) == (174_000, 2)
    assert {r["purpose"]: r["debit"] for r in totals.by_purpose} == {"payment": 174_000}
    csv_rows = list(
        csv.reader(
            io.StringIO(
                staff_client.get(
                    reverse("ledger:payments_report"), {"export": "csv"}
                ).content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    assert [row[2] for row in csv_rows[1:]] == ["no client yet", "Олена Коваленко"]
    assert csv_rows[1][4] == "1640,00"


def test_listed_once_after_it_is_attached(staff_client, owner, org, branch):
    money = _stranger_paid(org, branch)
    before = staff_client.get(reverse("ledger:payments_report")).context["totals"]
    money_assign_to_client(
        money=money, client=make_client(org, "Марія Бондар"), purpose=Entry.Purpose.PAYMENT,
        actor=SYSTEM, cause=None, comment="Online sale",
    )  # fmt: skip
    page = staff_client.get(reverse("ledger:payments_report"))
    assert _clients(page.content.decode()) == ["Марія Бондар"]
    after = page.context["totals"]
    assert (after.debit, after.count) == (before.debit, before.count) == (164_000, 1)


def test_filters_that_leave_it_out(staff_client, org, branch):
    _stranger_paid(org, branch)
    other = make_branch(org, "Поділ")
    url = reverse("ledger:payments_report")
    for params in ({"purpose": "top_up"}, {"kind": "credit"}, {"branch": other.pk}):
        page = staff_client.get(url, params)
        assert _clients(page.content.decode()) == [], params
        assert page.context["totals"].debit == 0
    page = staff_client.get(url, {"purpose": "payment", "kind": "debit", "branch": branch.pk})
    assert _clients(page.content.decode()) == ["без клієнта"]


def test_another_organizations_money_is_not_listed(staff_client, org, branch, other_org):
    with org_scope(other_org):
        _stranger_paid(other_org, make_branch(other_org), amount=999_900)
    page = staff_client.get(reverse("ledger:payments_report"))
    assert _clients(page.content.decode()) == [] and page.context["totals"].debit == 0


def test_the_page_is_a_fixed_number_of_queries(
    staff_client, org, branch, django_assert_max_num_queries
):
    _paid_by_client(org, branch)
    _stranger_paid(org, branch)
    url = reverse("ledger:payments_report")
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for n in range(30):
        _paid_by_client(org, branch, amount=1_000 + n)
        _stranger_paid(org, branch, amount=2_000 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = staff_client.get(url)
    assert len(page.context["page"].object_list) == 50
