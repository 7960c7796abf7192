"""Membership plans as an administrator reads them (issue 17): the validity with the unit
in the form its number needs, the units capitalised, the price in the page's language, the
sale's payment radios laid out one by one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories_ledger import make_client, make_plan
from zapys.memberships.models import MembershipPlan

DAYS = MembershipPlan.ValidityUnit.DAYS
MONTHS = MembershipPlan.ValidityUnit.MONTHS


@pytest.mark.parametrize(
    ("language", "value", "unit", "text"),
    [
        ("en", 1, MONTHS, "1 month"), ("en", 3, MONTHS, "3 months"), ("en", 1, DAYS, "1 day"),
        ("en", 7, DAYS, "7 days"),
        ("uk", 1, MONTHS, "1 місяць"), ("uk", 3, MONTHS, "3 місяці"), ("uk", 5, MONTHS, "5 місяців"),
        ("uk", 11, MONTHS, "11 місяців"), ("uk", 21, MONTHS, "21 місяць"),
        ("uk", 1, DAYS, "1 день"), ("uk", 2, DAYS, "2 дні"), ("uk", 14, DAYS, "14 днів"),
    ],
)  # fmt: skip
def test_validity_text_agrees_with_its_number(language, value, unit, text):
    plan = MembershipPlan(validity_value=value, validity_unit=unit)
    with translation.override(language):
        assert plan.validity_text == text


@pytest.mark.parametrize(
    ("language", "shown", "units"),
    [("en", "1 month", ["Days", "Months"]), ("uk", "1 місяць", ["Дні", "Місяці"])],
)
def test_the_plans_pages_show_validity_and_units_as_words(
    org, staff_client, language, shown, units
):
    plan = make_plan(org, "Unlimited", validity_value=1, validity_unit=MONTHS, price=450_000)
    staff_client.cookies["django_language"] = language
    html = staff_client.get(reverse("memberships:plans")).content.decode()
    assert f'<td class="text-nowrap">{shown}</td>' in html  # «1 місяць» on one line
    assert "1 months" not in html and "1 місяців" not in html
    edit = staff_client.get(reverse("memberships:plan_edit", kwargs={"plan_id": plan.pk}))
    options = re.findall(
        r"<option [^>]*>([^<]+)</option>",
        re.search(r'<select name="validity_unit".*?</select>', edit.content.decode(), re.S).group(),
    )
    assert options == units


@pytest.mark.parametrize(("language", "price"), [("uk", "4500,00"), ("en", "4500.00")])
def test_a_plan_price_is_prefilled_in_the_page_language_and_saved_back(
    org, staff_client, language, price
):
    plan = make_plan(org, "Unlimited", price=450_000)
    url = reverse("memberships:plan_edit", kwargs={"plan_id": plan.pk})
    staff_client.cookies["django_language"] = language
    form = staff_client.get(url).context["form"]
    assert form.initial["price"] == price
    # The English page read "4500,00" as 450 000 hryvnias: the comma is a thousands mark there.
    data = {k: v for k, v in form.initial.items() if v not in (None, False, [])}
    data = {k: v.pk if hasattr(v, "pk") else v for k, v in data.items()}
    assert staff_client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.price == 450_000


def test_the_sale_form_lays_out_each_payment_mode(org, staff_client):
    client = make_client(org)
    make_plan(org)
    html = staff_client.get(reverse("memberships:sell", kwargs={"client_id": client.pk}))
    page = html.content.decode()
    assert 'data-testid="choices-mode"' in page
    assert len(re.findall(r'<div class="form-check form-check-inline"><input type="radio" name="mode"', page)) == 3  # fmt: skip
