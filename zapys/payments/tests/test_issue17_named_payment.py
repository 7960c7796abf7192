"""Issue 17, fifth tour: a payment's page is named by what was paid and how much
(«Поповнення балансу — 500,00 грн»), not «Платіж №9»; the number stays as a small
reference; dates read as the product writes them («5 грудня 2026, 06:03»)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories_payments import make_account, make_client, make_topup
from tests.pages import staff_page

pytestmark = pytest.mark.django_db


def _h1(page: str) -> str:
    found = re.search(r'<h1[^>]*data-testid="payment-title"[^>]*>(.*?)</h1>', page, re.S)
    assert found, "no payment title"
    return re.sub(r"<[^>]+>", " ", found.group(1)).replace("\xa0", " ")


def test_the_payment_page_is_named_by_what_was_paid(staff_client, owner, org, branch):
    client = make_client(org, "Мороз Дмитро")
    payment = make_topup(org, account=make_account(org, "sandbox"), client=client, amount=50000)
    uk = staff_page(staff_client, owner, "uk", "payments:detail", payment.pk)
    assert "Поповнення балансу — 500,00 грн" in _h1(uk)
    assert f"№{payment.pk}" not in _h1(uk) and "Платіж №" not in uk
    title = re.search(r"<title>(.*?)</title>", uk, re.S).group(1)
    assert title.replace("\xa0", " ").startswith("Поповнення балансу — 500,00 грн")
    crumbs = re.search(r'data-testid="breadcrumb">(.*?)</ol>', uk, re.S).group(1)
    assert "Поповнення балансу" in crumbs and "№" not in crumbs
    # the number is still there for a call to the payment service, small and below
    subtitle = re.search(r'data-testid="payment-subtitle">(.*?)</p>', uk, re.S).group(1)
    assert "Мороз Дмитро" in subtitle
    assert f"номер платежу в Zapys: {payment.pk}" in subtitle
    assert re.search(r"\d{1,2} [а-яі]+ \d{4}, \d\d:\d\d", subtitle)  # «5 грудня 2026, 06:03»
    assert not re.search(r"\d\d\.\d\d\.\d{4}", uk)  # no «05.12.2026 06:03» anywhere
    en = staff_page(staff_client, owner, "en", "payments:detail", payment.pk)
    assert re.search(r"Balance top-up — (UAH )?500\.00", _h1(en))
    assert "Payment #" not in en and "payment number in Zapys" in en


def test_the_payments_list_writes_dates_in_words(
    staff_client, owner, org, branch, django_assert_max_num_queries
):
    account = make_account(org, "sandbox")
    for _ in range(3):
        make_topup(org, account=account)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    staff_client.get(reverse("payments:list"))  # warm the session and caches
    with django_assert_max_num_queries(12):
        page = staff_client.get(reverse("payments:list")).content.decode()
    assert not re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", page)
    assert (
        len(re.findall(r"\d{1,2} грудня \d{4}, \d\d:\d\d|\d{1,2} [а-яі]+ \d{4}, \d\d:\d\d", page))
        >= 3
    )
