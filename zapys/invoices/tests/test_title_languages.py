"""What an invoice is for, when the system wrote it (a forecast's "Lessons 01.12–31.12.2026"),
reads in each reader's language: the fifth tour's English invoice page said «Заняття …»
because the title was stored in the organization's language. A title typed by staff (or a
membership's name) is data and shows as typed; rows issued before keep their text."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.core.tenancy import organization_zone
from zapys.invoices import services
from zapys.invoices.models import Invoice
from zapys.ledger.models import Entry

pytestmark = pytest.mark.django_db


def _forecast_invoice(org, branch) -> Invoice:
    client = make_client(org, name="Коваль Софія")
    day = services.local_today(org) + timedelta(days=2)
    make_visit(
        org,
        client=client,
        staff=make_specialist(org, branch),
        service=make_service(org, price=30_000),
        starts_at=datetime.combine(day, time(11), organization_zone(org)),
        branch=branch,
        price=30_000,
    )
    return services.invoice_create(client=client, calculation="forecast", actor=SYSTEM)


def _title_on_page(client, invoice: Invoice, language: str) -> str:
    page = client.get(f"/i/{invoice.token}/?lang={language}").content.decode()
    return page.split('data-testid="invoice-title">')[1].split("<")[0]


def test_a_forecast_title_reads_in_the_readers_language(client, org, branch):
    invoice = _forecast_invoice(org, branch)
    invoice.refresh_from_db()
    assert invoice.title_text and invoice.title_text["msgid"] == "Lessons %(start)s–%(end)s"
    assert _title_on_page(client, invoice, "en").startswith("Lessons ")
    assert _title_on_page(client, invoice, "uk").startswith("Заняття ")


def test_the_ledger_comment_of_its_payment_names_it_in_each_language(org, branch):
    from django.utils import translation

    invoice = _forecast_invoice(org, branch)
    from zapys.invoices.services import _deposit_line

    line = _deposit_line(invoice)
    with translation.override("en"):
        assert line.render().startswith(f"Invoice {invoice.number}: Lessons ")
    with translation.override("uk"):
        assert line.render().startswith(f"Рахунок {invoice.number}: Заняття ")
    assert Entry.objects.count() == 0  # nothing was paid: only the words were read


def test_a_typed_title_and_an_old_row_show_as_stored(client, org):
    typed = services.invoice_create(
        client=make_client(org), calculation="manual", amount=70_000, actor=SYSTEM
    )
    Invoice.objects.filter(pk=typed.pk).update(title="Стретчинг, грудень: 8 занять")
    typed.refresh_from_db()
    assert typed.title_text is None
    assert _title_on_page(client, typed, "en") == "Стретчинг, грудень: 8 занять"


def test_the_migration_gives_old_forecast_titles_their_stored_text(org):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("zapys.invoices.migrations.0011_invoice_title_text")
    old = services.invoice_create(
        client=make_client(org), calculation="manual", amount=70_000, actor=SYSTEM
    )
    Invoice.objects.filter(pk=old.pk).update(title="Заняття 01.12–31.12.2026", title_text=None)
    migration.stored_titles(apps, None)
    old.refresh_from_db()
    assert old.title_text == {
        "msgid": "Lessons %(start)s–%(end)s",
        "params": {"start": "01.12", "end": "31.12.2026"},
    }
