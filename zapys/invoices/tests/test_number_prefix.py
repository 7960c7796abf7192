"""An invoice number starts with the organization's prefix (Settings → Invoices): «РАХ» on a
Ukrainian salon's documents, "INV" when it writes to clients in English. A number is a
document's: a new prefix is for the invoices issued after it, the issued ones keep theirs,
and the year's sequence goes on whatever the prefix (so no number is ever given twice)."""

from __future__ import annotations

import importlib
from html import unescape

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SYSTEM, make_org
from tests.factories_ledger import make_client
from tests.pages import staff_page
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope, unscoped
from zapys.invoices import services
from zapys.invoices.models import Invoice, InvoiceCounter, InvoiceSettings


def _manual(client, **kwargs):
    return services.invoice_create(
        client=client, calculation="manual", amount=50_000, actor=SYSTEM, **kwargs
    )


def _prefix(org) -> str:
    return InvoiceSettings.objects.for_org(org).get().number_prefix


def test_a_ukrainian_organization_numbers_its_invoices_rakh(org):
    assert org.language == "uk"
    year = services.local_today(org).year
    assert _manual(make_client(org)).number == f"РАХ-{year}-00001"
    assert services.invoice_settings_get(org).number_prefix == "РАХ"


def test_an_english_speaking_organization_numbers_them_inv(db):
    org = make_org("Studio EN", language="en")
    with org_scope(org):
        year = services.local_today(org).year
        # the number is given before any settings row exists, then the row agrees with it
        assert _manual(make_client(org)).number == f"INV-{year}-00001"
        assert services.invoice_settings_get(org).number_prefix == "INV"


def test_a_new_prefix_is_for_new_invoices_and_the_sequence_goes_on(org):
    client = make_client(org)
    year = services.local_today(org).year
    first, second = _manual(client), _manual(client)
    services.invoice_settings_update(organization=org, actor=SYSTEM, number_prefix="СТУДІЯ-1")
    third = _manual(client)
    assert third.number == f"СТУДІЯ-1-{year}-00003"
    # the issued ones keep theirs
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == (f"РАХ-{year}-00001", f"РАХ-{year}-00002")
    # back to «РАХ»: the sequence is the year's, so «РАХ-…-00001» is never given again
    services.invoice_settings_update(organization=org, actor=SYSTEM, number_prefix="РАХ")
    assert _manual(client).number == f"РАХ-{year}-00004"
    assert InvoiceCounter.objects.for_org(org).get(year=year).last == 4
    log = AuditLog.objects.filter(action="invoices.settings_update").order_by("id")
    assert [row.changes["number_prefix"] for row in log] == [
        ["РАХ", "СТУДІЯ-1"],
        ["СТУДІЯ-1", "РАХ"],
    ]


def test_the_longest_prefix_fits_the_number_column(org):
    services.invoice_settings_update(organization=org, actor=SYSTEM, number_prefix="ABCDEFGH")
    InvoiceCounter.objects.create(
        organization=org, year=services.local_today(org).year, last=99_999
    )
    number = _manual(make_client(org)).number
    assert (
        number.endswith("-100000") and len(number) == Invoice._meta.get_field("number").max_length
    )


def test_the_prefix_costs_no_query_more(org, django_assert_num_queries):
    """The prefix is read in the counter's own query: numbering takes the same queries with
    the settings row as without it."""
    org2 = make_org("Salon C")
    year = services.local_today(org).year
    services.invoice_settings_get(org)  # this one has its row
    with django_assert_num_queries(3):  # insert-if-missing, the locked read, the update
        assert services.next_numbers(org, year, 2) == [f"РАХ-{year}-00001", f"РАХ-{year}-00002"]
    with org_scope(org2), django_assert_num_queries(3):
        assert services.next_numbers(org2, year, 1) == [f"РАХ-{year}-00001"]


@pytest.mark.parametrize(
    "typed", ["", "   ", "РАХ/", "-РАХ", "РАХ-", "Р--Х", "A_B", "A B", "РАХУНОК12", "№1", "РАХ."]
)
def test_a_prefix_that_does_not_fit_changes_nothing(org, typed):
    services.invoice_settings_update(organization=org, actor=SYSTEM, number_prefix="РАХ")
    logged = AuditLog.objects.count()
    with pytest.raises(DomainError) as refused:
        services.invoice_settings_update(organization=org, actor=SYSTEM, number_prefix=typed)
    assert [e["field"] for e in refused.value.errors] == ["number_prefix"]
    assert _prefix(org) == "РАХ" and AuditLog.objects.count() == logged
    year = services.local_today(org).year
    assert _manual(make_client(org)).number == f"РАХ-{year}-00001"


def test_the_settings_page_sets_the_prefix_and_shows_the_next_number(staff_client, owner, org):
    client = make_client(org)
    _manual(client)
    year = services.local_today(org).year
    html = unescape(staff_page(staff_client, owner, "uk", "invoices:settings"))
    assert "Префікс номера рахунку" in html and 'value="РАХ"' in html
    assert f'data-testid="next-number">РАХ-{year}-00002<' in html
    en = unescape(staff_page(staff_client, owner, "en", "invoices:settings"))
    assert "Invoice number prefix" in en and "issued invoices keep their numbers" in en
    response = staff_client.post(reverse("invoices:settings"), {"number_prefix": " SALON "})
    assert response.status_code == 302
    assert _prefix(org) == "SALON"
    assert _manual(client).number == f"SALON-{year}-00002"
    html = staff_page(staff_client, owner, "en", "invoices:settings")
    assert f'data-testid="next-number">SALON-{year}-00003<' in html


@pytest.mark.parametrize(("language", "said"), [("en", "Use letters and digits"), ("uk", "літери")])
def test_the_settings_page_refuses_a_wrong_prefix_in_words(
    staff_client, owner, org, language, said
):
    services.invoice_settings_update(organization=org, actor=SYSTEM, requisites="ФОП Мельник")
    before = list(InvoiceSettings.objects.for_org(org).values())
    logged = AuditLog.objects.count()
    owner.language = language
    owner.save(update_fields=["language"])
    for typed in ("РАХ/2026", "ДУЖЕДОВГИЙ", ""):
        response = staff_client.post(
            reverse("invoices:settings"), {"number_prefix": typed, "requisites": "інше"}
        )
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode()
    assert said in unescape(
        staff_client.post(reverse("invoices:settings"), {"number_prefix": "Р/Х"}).content.decode()
    )
    assert list(InvoiceSettings.objects.for_org(org).values()) == before
    assert AuditLog.objects.count() == logged


def test_the_settings_page_costs_the_same_with_many_invoices(staff_client, owner, org):
    staff_page(staff_client, owner, "uk", "invoices:settings")  # settings row, session

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("invoices:settings")).status_code == 200
        return len(captured)

    none = count()
    client = make_client(org)
    for _ in range(5):
        _manual(client)
    assert count() == none


def test_the_migration_keeps_inv_where_numbers_were_given(db):
    """Migration 0008: an organization that had issued numbers goes on with "INV" (its
    year's series keeps its look); one that had issued none gets the default of its
    language."""
    migration = importlib.import_module(
        "zapys.invoices.migrations.0008_invoicesettings_number_prefix"
    )
    numbered, numbered_no_row, fresh, fresh_en = (
        make_org("Numbered"),
        make_org("Numbered, no settings"),
        make_org("Fresh"),
        make_org("Fresh EN", language="en"),
    )
    year = 2026
    with unscoped():  # as a migration runs: no organization's scope
        for org in (numbered, numbered_no_row):
            InvoiceCounter.objects.create(organization=org, year=year, last=7)
        for org in (numbered, fresh, fresh_en):
            InvoiceSettings.objects.create(organization=org, number_prefix="INV")
        migration.prefixes(apps, None)
    prefixes = dict(
        InvoiceSettings._base_manager.values_list("organization__name", "number_prefix")
    )
    assert prefixes == {
        "Numbered": "INV",
        "Numbered, no settings": "INV",
        "Fresh": "РАХ",
        "Fresh EN": "INV",
    }
    with org_scope(numbered_no_row):
        assert services.next_numbers(numbered_no_row, year, 1) == [f"INV-{year}-00008"]
