"""Where an invoice's money goes is a balance (issue 17): «Баланс клієнта», «Основний
баланс», «Окремий баланс абонемента» — «рахунок» is the invoice itself, so the invoice form,
the invoice's page and a rule's form never say «особовий рахунок» beside it; the English
pages say "balance" the same way."""

from __future__ import annotations

from datetime import time
from html import unescape

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_membership, make_plan
from tests.pages import staff_page
from zapys.invoices import rules, services

WORDS = {
    "uk": ("Баланс клієнта", "Основний баланс", "Окремий баланс абонемента", "Який баланс"),
    "en": ("Client balance", "Main balance", "Separate membership balance", "Which balance"),
}


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_invoice_pages_name_the_balance(staff_client, owner, org, language):
    client = make_client(org, name="Шевчук Марія")
    membership = make_membership(client, make_plan(org, "Йога 8", separate_account=True))
    whose, main, separate, which = WORDS[language]
    form = unescape(staff_page(staff_client, owner, language, "invoices:new", client.pk))
    assert whose in form and main in form and f"Йога 8 · {separate}" in form
    invoice = services.invoice_create(
        client=client,
        calculation="membership",
        membership=membership,
        actor=SYSTEM,
    )
    page = unescape(staff_page(staff_client, owner, language, "invoices:detail", invoice.pk))
    assert whose in page and f"Йога 8 · {separate}" in page
    plain = services.invoice_create(client=client, calculation="manual", amount=100, actor=SYSTEM)
    page = unescape(staff_page(staff_client, owner, language, "invoices:detail", plain.pk))
    assert main in page
    rule = rules.rule_save(
        organization=org,
        actor=SYSTEM,
        schedule=rules.Schedule("month", time(9), day=1),
        name="Щомісячні",
        method="membership",
        account="all",
    )
    edit = unescape(staff_page(staff_client, owner, language, "invoices:rule_edit", rule.pk))
    assert which in edit
    listed = unescape(staff_page(staff_client, owner, language, "invoices:rules"))
    assert ("Усі баланси" if language == "uk" else "All balances") in listed
    for html in (form, page, edit, listed):
        assert "особов" not in html.lower()
        assert "Client account" not in html and "Base account" not in html
