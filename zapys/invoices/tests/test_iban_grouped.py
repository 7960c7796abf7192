"""The invoice's requisites print the IBAN in groups of four, as banks print it ("UA21 3223
1300 …", `core.iban.iban_grouped`): 29 characters in one run could not be read out or checked
against a bank's letter. The record keeps it compact (the API's organization has one
spelling); the requisites shown (the invoice page, the settings' "the invoice page shows",
the API's `requisites_shown`) are grouped."""

from __future__ import annotations

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.pages import staff_page
from zapys.invoices import services

COMPACT = "UA213223130000026007233566001"
GROUPED = "UA21 3223 1300 0002 6007 2335 6600 1"


def _org_with_iban(org):
    org.legal_name, org.iban, org.bank_name = "ФОП Коваленко", COMPACT, "ПриватБанк"
    org.save()
    return org


def test_the_requisites_group_the_iban(org):
    shown = services.requisites_of(_org_with_iban(org), services.invoice_settings_get(org))
    assert shown.splitlines() == ["ФОП Коваленко", f"IBAN: {GROUPED}", "ПриватБанк"]


def test_the_invoice_page_and_the_settings_print_it_grouped(org, client, staff_client, owner, api):
    _org_with_iban(org)
    invoice = services.invoice_create(
        client=make_client(org), calculation="manual", amount=10_000, actor=SYSTEM
    )
    page = client.get(f"/i/{invoice.token}/").content.decode()
    assert f"IBAN: {GROUPED}" in page and COMPACT not in page
    for language in ("uk", "en"):
        settings = staff_page(staff_client, owner, language, "invoices:settings")
        assert f"IBAN: {GROUPED}" in settings and COMPACT not in settings
    assert f"IBAN: {GROUPED}" in api.get("/invoices/settings").body["requisites_shown"]
