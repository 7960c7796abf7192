"""A plan that keeps its money apart says so in plain words (issue 17): «Окремий баланс
абонемента» / "Separate membership balance", never «особовий рахунок» — bank language
beside «Рахунок», which in the product is an invoice."""

from __future__ import annotations

import re

import pytest

from tests.factories_ledger import make_plan
from tests.pages import staff_page


@pytest.mark.parametrize(
    ("language", "label", "hint", "badge"),
    [
        (
            "uk",
            "Окремий баланс абонемента",
            "окремо від основного балансу клієнта",
            "окремий баланс",
        ),
        (
            "en",
            "Separate membership balance",
            "apart from the client&#x27;s main balance",
            "separate balance",
        ),
    ],
)
def test_the_plan_form_and_list_say_separate_balance(
    staff_client, owner, org, language, label, hint, badge
):
    plan = make_plan(org, "Йога 8", separate_account=True)
    form = staff_page(staff_client, owner, language, "memberships:plan_edit", plan.pk)
    assert label in form and hint in form
    plans = staff_page(staff_client, owner, language, "memberships:plans")
    assert re.search(rf'<span class="badge text-bg-light">{badge}</span>', plans)
    for page in (form, plans):
        assert "особов" not in page.lower()
        assert not re.search(r"separate account", page, re.I)
