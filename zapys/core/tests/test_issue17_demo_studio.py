"""The demo reads like one real beauty studio (issue 17, the reviewers of its screenshots):
no school's «Англійська» on an invoice, an invoice's month label matching its period, a
payer whose family page names the client billed, no beard trim booked for a woman nor a
manicure by the hairdresser, a trainer for the groups, «борг» only on clients who owe, the
payment page saying «Студія краси», and one offer link in the settings and on the page.

One demo for the module, in a transaction rolled back at the end (it takes a while)."""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django.utils.dates import MONTHS

from zapys.accounts.demo import TRAINER_LOGIN
from zapys.accounts.models import Organization
from zapys.catalog.demo import service_fits
from zapys.catalog.models import Service, Subject
from zapys.clients.cabinet import cabinet_family
from zapys.clients.demo import demo_gender
from zapys.clients.models import Client
from zapys.core.demo import DEMO_SLUG
from zapys.core.tenancy import org_scope, unscoped
from zapys.invoices.models import ClientPayer, Invoice, InvoiceSettings
from zapys.invoices.services import offer_url_of
from zapys.ledger.selectors import balances_for
from zapys.prepayments.models import PrepaymentSettings
from zapys.schedule.models import Visit
from zapys.waitlist.models import Entry as WaitingEntry


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Organization]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", verbosity=0)
        with unscoped():
            org = Organization.objects.get(slug=DEMO_SLUG)
        with org_scope(org):
            yield org
        transaction.set_rollback(True)


def test_every_visit_is_a_service_for_its_client_by_a_specialist_of_its_trade(demo, db):
    visits = list(
        Visit.objects.filter(kind=Visit.Kind.INDIVIDUAL, service__isnull=False)
        .select_related("service", "client", "staff")
        .order_by("id")
    )
    assert len(visits) > 50
    wrong = [
        (v.service.name, v.client.name if v.client else None, v.staff.username)
        for v in visits
        if not service_fits(v.service, client=v.client, staff=v.staff)
    ]
    assert wrong == []
    # the map is not vacuous: women and men both came, each to their own haircut
    cuts = Counter((v.service.name, demo_gender(v.client)) for v in visits)
    assert cuts["Стрижка жіноча", "f"] and cuts["Стрижка чоловіча", "m"]
    assert not cuts["Стрижка жіноча", "m"] and not cuts["Оформлення бороди", "f"]


def test_the_waiting_list_waits_for_services_meant_for_its_clients(demo, db):
    entries = list(WaitingEntry.objects.select_related("service", "client", "staff"))
    assert len(entries) == 5
    for entry in entries:
        assert service_fits(entry.service, client=entry.client), entry
        assert entry.staff is None or service_fits(entry.service, staff=entry.staff), entry


def test_the_trainer_leads_the_groups_and_takes_no_individual_services(demo, db):
    lessons = Visit.objects.exclude(kind=Visit.Kind.INDIVIDUAL).select_related("staff")
    assert lessons.exists()
    assert {lesson.staff.username for lesson in lessons} == {TRAINER_LOGIN}
    assert {lesson.staff.position for lesson in lessons} == {"Тренер"}
    assert not Visit.objects.filter(kind=Visit.Kind.INDIVIDUAL, staff__username=TRAINER_LOGIN)


def test_every_invoice_names_what_the_studio_sells(demo, db):
    sold = [*Subject.objects.values_list("name", flat=True)]
    sold += Service.objects.values_list("name", flat=True)
    invoices = list(Invoice.objects.all())
    assert len(invoices) >= 6
    for invoice in invoices:
        assert invoice.comment.startswith(tuple(sold)), invoice.comment
        assert "Англійськ" not in invoice.comment


def test_an_invoice_labelled_by_a_month_covers_that_calendar_month(demo, db):
    with translation.override("uk"):
        months = {str(name).lower(): number for number, name in MONTHS.items()}
    labelled = 0
    for invoice in Invoice.objects.all():
        named = [number for name, number in months.items() if name in invoice.comment]
        if not named:
            continue
        labelled += 1
        start, end = invoice.period_start, invoice.period_end
        assert start is not None and end is not None, invoice.comment
        assert named == [start.month] and start.day == 1, invoice.comment
        assert (end.year, end.month) == (start.year, start.month), invoice.comment
        assert end.day == calendar.monthrange(start.year, start.month)[1], invoice.comment
    assert labelled >= 2


def test_the_payer_is_the_clients_standing_payer_and_in_one_family(demo, db):
    with_payer = list(Invoice.objects.filter(payer__isnull=False).select_related("client", "payer"))
    assert len(with_payer) == 1
    invoice = with_payer[0]
    mother, daughter = invoice.payer, invoice.client
    assert ClientPayer.objects.get(client=daughter).payer == mother
    # the mother's cabinet lists the daughter by the name on the invoice: one family
    assert [c.pk for c in cabinet_family(mother)] == [mother.pk, daughter.pk]
    assert daughter.last_name == mother.last_name and daughter.phone == mother.phone
    assert demo_gender(mother) == "f"


def test_borg_is_on_exactly_the_clients_who_owe(demo, db):
    clients = list(Client.objects.alive().prefetch_related("tags"))
    balances = balances_for([c.pk for c in clients])
    tagged = {c.pk for c in clients if any(t.name == "борг" for t in c.tags.all())}
    owing = {c.pk for c in clients if balances[c.pk] < 0}
    assert owing and tagged == owing


def test_no_two_demo_clients_share_a_name(demo, db):
    names = Counter(Client.objects.values_list("name", flat=True))
    assert [name for name, n in names.items() if n > 1] == []


def test_the_payment_page_calls_it_a_studio(demo, db):
    page = PrepaymentSettings.objects.get()
    assert (page.page_subtitle, page.page_subtitle_en) == ("Студія краси", "Beauty studio")


def test_the_invoice_page_links_the_offer_the_settings_show(demo, db, client, settings):
    settings.ZAPYS_PUBLIC_URL = "http://testserver"
    assert demo.offer_url
    assert offer_url_of(demo, InvoiceSettings.objects.get()) == demo.offer_url
    invoice = Invoice.objects.filter(status=Invoice.Status.AWAITING).first()
    assert invoice is not None
    page = client.get(invoice.url.removeprefix("http://testserver")).content.decode()
    assert f'href="{demo.offer_url}"' in page
