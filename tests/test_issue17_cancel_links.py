"""Issue 17: the forms opened from a client's card (sell a membership, add an invoice, a
top-up link) have a way back to the card without saving, in the page's language, as the
payment form has; and the invoice's amount names its currency like theirs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories_clients import make_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "testid", "back"),
    [
        ("memberships:sell", "cancel-sell", "?tab=memberships"),
        ("invoices:new", "cancel-invoice", "?tab=invoices"),
        ("topups:client_topup", "cancel-topup", ""),
    ],
)
@pytest.mark.parametrize(("language", "word"), [("uk", "Скасувати"), ("en", "Cancel")])
def test_a_form_of_the_card_leads_back_to_the_card(
    staff_client, org, url_name, testid, back, language, word
):
    client = make_client(org, "Кравець Андрій")
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = staff_client.get(reverse(url_name, kwargs={"client_id": client.pk})).content.decode()
    card = reverse("clients:detail", kwargs={"client_id": client.pk})
    link = f'<a class="btn btn-link" href="{card}{back}" data-testid="{testid}">{word}</a>'
    assert link in html


@pytest.mark.parametrize(("language", "label"), [("uk", "Сума, грн"), ("en", "Amount, UAH")])
def test_the_invoice_forms_amount_names_its_currency_as_the_other_forms_do(
    staff_client, org, language, label
):
    client = make_client(org, "Кравець Андрій")
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = staff_client.get(reverse("invoices:new", kwargs={"client_id": client.pk})).content
    assert f'for="id_amount">{label}' in html.decode().replace("\n", "")
