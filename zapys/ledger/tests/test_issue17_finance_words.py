"""Issue 17 on the finance pages: one English word for «стаття» (category, not the literal
"article"), one name for the cash page, an imported opening balance not counted as money
received, honest labels and badges, and the add-payment page in an administrator's words."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories_ledger import make_client, make_entry, make_payment_type
from tests.pages import staff_page

pytestmark = pytest.mark.django_db


def test_finance_settings_say_category_and_settings(staff_client, owner, org, branch):
    make_payment_type(branch)  # the first of its method: the default
    en = staff_page(staff_client, owner, "en", "ledger:settings")
    assert re.search(r"<h1[^>]*>Finance</h1>", en)  # the section, not "Settings"
    assert "Income and expense categories" in en and "Add category" in en
    assert "rticle" not in re.sub(r'value="[a-z_]*article"', "", en)
    assert ">Main</span>" in en and ">default<" not in en
    # fifth tour: one word for how a client pays, «Спосіб оплати» / "Payment method"; what
    # kind of money it is (cash, card, online) is its «Вид оплати», not a second «Спосіб»
    assert "Payment methods" in en and "Add payment method" in en and "Payment type" not in en
    uk = staff_page(staff_client, owner, "uk", "ledger:settings")
    assert re.search(r"<h1[^>]*>Фінанси</h1>", uk)
    assert "Статті доходів і витрат" in uk and "Додати статтю" in uk
    assert ">Основний</span>" in uk and "Основний для цього виду оплати" in uk
    assert "Способи оплати" in uk and "Додати спосіб оплати" in uk and "Вид оплати" in uk
    assert "Тип оплати" not in uk and "Типи оплати" not in uk and "замовчуванням" not in uk
    assert "Типовий" not in uk


def test_cash_page_has_one_name_and_a_category_column(staff_client, owner, org, branch):
    en = staff_page(staff_client, owner, "en", "ledger:operations")
    assert re.search(r"<h1[^>]*>Cash & operations · Main</h1>", en)
    assert "Financial operations" not in en
    assert "<th>Category</th>" in en and "Article" not in en
    uk = staff_page(staff_client, owner, "uk", "ledger:operations")
    assert "<th>Стаття</th>" in uk


def test_an_opening_balance_is_not_a_payment_received(staff_client, owner, org, branch):
    client = make_client(org)
    make_entry(client, amount=10_000, branch=branch)
    make_entry(client, amount=300_000, purpose="opening_balance")
    make_entry(client, "credit", 3_000, purpose="service", branch=branch)
    r = staff_client.get(reverse("ledger:payments_report"))
    totals = r.context["totals"]
    assert (totals.debit, totals.credit, totals.opening) == (10_000, 3_000, 300_000)
    assert [row["purpose"] for row in totals.by_purpose] == ["payment", "service"]
    en = staff_page(staff_client, owner, "en", "ledger:payments_report")
    assert "Opening balances (import)" in en and "Charged for services" not in en
    assert "Charges made" in en
    uk = staff_page(staff_client, owner, "uk", "ledger:payments_report")
    assert "Початкові баланси (імпорт)" in uk and "Нараховано за послуги" not in uk


def test_without_an_opening_balance_nothing_is_shown_apart(staff_client, owner, org, branch):
    make_entry(make_client(org), amount=10_000, branch=branch)
    r = staff_client.get(reverse("ledger:payments_report"))
    assert r.context["totals"].opening == 0
    assert 'data-testid="total-opening"' not in r.content.decode()


def test_the_add_payment_page_says_payment_or_charge(staff_client, owner, org):
    client = make_client(org)
    en = staff_page(staff_client, owner, "en", "ledger:client_entry_new", client.pk)
    assert "<title>Add a payment or charge" in en and "Add entry" not in en
    # the kind is not "Payment": the purpose below defaults to "Payment" (one word twice)
    assert re.search(r'value="debit"[^>]*>\s*<label[^>]*>Money received</label>', en)
    assert re.search(r'value="credit"[^>]*>\s*<label[^>]*>Charge</label>', en)
    uk = staff_page(staff_client, owner, "uk", "ledger:client_entry_new", client.pk)
    assert "Додати оплату чи нарахування" in uk
    assert re.search(r'value="debit"[^>]*>\s*<label[^>]*>Отримано гроші</label>', uk)
    assert re.search(r'value="credit"[^>]*>\s*<label[^>]*>Нарахування</label>', uk)
    assert "Внесено" not in uk
