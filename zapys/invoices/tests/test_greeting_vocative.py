"""An invoice message greets as every message does (issue 17): `{customer.first_name}` is
the vocative in Ukrainian («Оксано, …»), the name in English, and a company is greeted
neutrally («Вітаємо! …») instead of by its name as if it were a first name."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_clients import make_client
from zapys.clients.models import Client
from zapys.invoices import services


def _variables(customer: Client, language: str) -> dict[str, Any]:
    invoice = services.invoice_create(
        client=customer,
        calculation="manual",
        amount=30_000,
        period_start=services.local_today(customer.organization),
        actor=SYSTEM,
    )
    return services.message_variables(invoice, customer, [invoice], language)


@pytest.mark.parametrize(("language", "greeting"), [("uk", "Оксано"), ("en", "Оксана")])
def test_the_customer_is_greeted_in_the_messages_language(org, language, greeting):
    variables = _variables(make_client(org, "Марченко Оксана"), language)
    with translation.override(language):
        text = services.render_tags("{customer.first_name}, a reminder", variables)
    assert text == f"{greeting}, a reminder"


def test_a_company_is_not_greeted_by_its_name(org):
    company = make_client(org, "ФОП Мельник А. В.", client_type="legal_entity")
    variables = _variables(company, "uk")
    with translation.override("uk"):
        text = services.render_tags("{customer.first_name}, нагадуємо: {customer.name}", variables)
    assert text == "Вітаємо! Нагадуємо: ФОП Мельник А. В."
