"""Invoices: issuing (manual, by membership price, by forecast), numbering, bad input,
archive protocol and the expiry job."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import SYSTEM, make_org
from tests.factories_ledger import make_client, make_entry, make_membership, make_plan
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope, organization_zone
from zapys.invoices import services
from zapys.invoices.models import Invoice, InvoiceCounter
from zapys.ledger.models import Account

NOW = timezone.now()


def _manual(client, amount=50_000, **kwargs):
    return services.invoice_create(
        client=client, calculation="manual", amount=amount, actor=SYSTEM, **kwargs
    )


def test_numbers_are_per_organization_and_year_without_gaps(org, other_org):
    client = make_client(org)
    first, second = _manual(client), _manual(client)
    year = services.local_today(org).year
    assert (first.number, second.number) == (f"РАХ-{year}-00001", f"РАХ-{year}-00002")
    # a refused invoice takes no number
    with pytest.raises(DomainError):
        _manual(client, amount=0)
    assert _manual(client).number == f"РАХ-{year}-00003"
    next_year = datetime(year + 1, 1, 2, 12, tzinfo=organization_zone(org))
    assert _manual(client, now=next_year).number == f"РАХ-{year + 1}-00001"
    with org_scope(other_org):
        assert _manual(make_client(other_org)).number == f"РАХ-{year}-00001"


def test_manual_invoice_fields_and_base_account(org):
    client = make_client(org)
    payer = make_client(org, name="Parent")
    today = services.local_today(org)
    invoice = _manual(
        client,
        amount=75_000,
        payer=payer,
        period_start=today,
        period_end=today + timedelta(days=30),
        pay_until=today + timedelta(days=5),
        repeatable=True,
        allow_partial=True,
        comment="December",
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount, invoice.paid_amount) == ("awaiting", 75_000, 0)
    assert invoice.account.kind == Account.Kind.BASE and invoice.account.client_id == client.pk
    assert invoice.payer_id == payer.pk and invoice.recipient_id == payer.pk
    assert invoice.pay_from == today and invoice.repeatable and invoice.allow_partial
    assert invoice.url.endswith(f"/i/{invoice.token}/")
    assert AuditLog.objects.filter(action="invoice.create", object_id=str(invoice.pk)).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -100}, "amount"),
        ({"amount": None}, "amount"),
        ({"pay_from": date(2030, 5, 10), "pay_until": date(2030, 5, 1)}, "pay_until"),
        ({"pay_until": date(2020, 1, 1), "pay_from": date(2019, 12, 1)}, "pay_until"),
        ({"period_start": date(2030, 5, 10), "period_end": date(2030, 5, 1)}, "period_end"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(org, kwargs, field):
    client = make_client(org)
    args = {"amount": 10_000, **kwargs}
    with pytest.raises(DomainError) as error:
        services.invoice_create(client=client, calculation="manual", actor=SYSTEM, **args)
    assert error.value.errors[0]["field"] == field
    assert Invoice.objects.count() == 0
    assert InvoiceCounter.objects.filter(last__gt=0).count() == 0


def test_membership_price_goes_to_the_membership_account(org, branch):
    client = make_client(org)
    plan = make_plan(org, name="Piano 8", price=160_000, separate_account=True)
    membership = make_membership(client, plan, mode="credit", starts_on=services.local_today(org))
    invoice = services.invoice_create(
        client=client, calculation="membership", membership=membership, actor=SYSTEM
    )
    assert invoice.amount == 160_000
    assert invoice.account_id == membership.account_id
    assert invoice.account.kind == Account.Kind.MEMBERSHIP
    assert invoice.title == membership.name
    assert (invoice.period_start, invoice.period_end) == (membership.starts_on, membership.ends_on)
    with pytest.raises(DomainError) as error:
        services.invoice_create(client=client, calculation="membership", actor=SYSTEM)
    assert error.value.errors[0]["field"] == "membership_id"
    other = make_client(org)
    with pytest.raises(DomainError):
        services.invoice_create(
            client=other, calculation="membership", membership=membership, actor=SYSTEM
        )
    assert Invoice.objects.count() == 1


def _lesson(org, branch, client, staff, service, days_ahead, price):
    zone = organization_zone(org)
    day = services.local_today(org) + timedelta(days=days_ahead)
    return make_visit(
        org,
        client=client,
        staff=staff,
        service=service,
        starts_at=datetime.combine(day, time(10 + days_ahead % 7), zone),
        branch=branch,
        price=price,
    )


def test_forecast_counts_planned_lessons_membership_and_balance(org, branch):
    client = make_client(org)
    staff = make_specialist(org, branch)
    service = make_service(org, price=30_000)
    for days in (1, 2, 3, 40):  # the one 40 days ahead is outside the period
        _lesson(org, branch, client, staff, service, days, 30_000)
    today = services.local_today(org)
    # a membership with one visit left covers the first lesson
    plan = make_plan(org, name="One visit", price=10_000, visits=1)
    make_membership(client, plan, mode="free", starts_on=today)
    make_entry(client, amount=5_000)  # 50.00 already on the balance
    invoice = services.invoice_create(
        client=client,
        calculation="forecast",
        period_start=today + timedelta(days=10),  # ignored: a forecast starts today
        period_end=today + timedelta(days=30),
        actor=SYSTEM,
    )
    assert invoice.amount == 2 * 30_000 - 5_000
    assert invoice.period_start == today
    lessons = [line for line in invoice.breakdown if line["kind"] == "lesson"]
    assert [line["amount"] for line in lessons] == [0, 30_000, 30_000]
    assert lessons[0]["covered"] == "One visit"
    assert invoice.breakdown[-1] == {
        "kind": "balance",
        "title": "Money on the balance",
        "amount": -5_000,
        "on_balance": 5_000,
    }
    assert sum(line["amount"] for line in invoice.breakdown) == invoice.amount


def test_forecast_adds_a_debt_as_a_debt(org, branch, staff_client):
    """A debt on the account is added to the lessons and shown as a debt ("Debt on the
    balance: +300,00 грн to pay"), not as a positive "balance taken into account"; the
    lines add up to the amount."""
    client = make_client(org)
    staff = make_specialist(org, branch)
    service = make_service(org, price=30_000)
    for days in (1, 2):
        _lesson(org, branch, client, staff, service, days, 30_000)
    make_entry(client, kind="credit", amount=30_000, purpose="service")  # owes 300.00
    invoice = services.invoice_create(client=client, calculation="forecast", actor=SYSTEM)
    assert invoice.amount == 2 * 30_000 + 30_000
    assert invoice.breakdown[-1] == {
        "kind": "debt",
        "title": "Debt on the balance",
        "amount": 30_000,
    }
    assert sum(line["amount"] for line in invoice.breakdown) == invoice.amount
    staff_page = staff_client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    debt_row = staff_page.split('data-testid="breakdown-debt"')[1].split("</tr>")[0]
    assert "Борг на балансі" in debt_row and "+300,00\xa0грн до сплати" in debt_row
    assert 'data-testid="breakdown-balance"' not in staff_page
    public = staff_client.get(f"/i/{invoice.token}/?lang=en").content.decode()
    assert "Debt on the balance: +UAH\xa0300.00 to pay" in public


def test_an_older_invoice_with_a_debt_stored_as_balance_reads_as_a_debt(org, staff_client):
    """Invoices issued before the fix stored a debt as a "balance" line with a positive
    amount: their pages read it as a debt too."""
    client = make_client(org)
    invoice = services.invoice_create(
        client=client, calculation="manual", amount=90_000, actor=SYSTEM
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        breakdown=[
            {
                "kind": "lesson",
                "date": "2026-12-04",
                "title": "Вокал",
                "price": 60_000,
                "amount": 60_000,
                "covered": "",
            },
            {"kind": "balance", "title": "Balance taken into account", "amount": 30_000},
        ]
    )
    page = staff_client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert 'data-testid="breakdown-debt"' in page and "+300,00\xa0грн до сплати" in page
    assert "Balance taken into account" not in page


def test_forecast_with_nothing_to_pay_is_refused(org, branch):
    client = make_client(org)
    make_entry(client, amount=5_000)
    with pytest.raises(DomainError, match="Nothing to pay"):
        services.invoice_create(client=client, calculation="forecast", actor=SYSTEM)
    assert Invoice.objects.count() == 0


def test_bulk_archive_protocol(org):
    client = make_client(org)
    awaiting, paid, archived = _manual(client), _manual(client), _manual(client)
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=paid.amount)
    services.invoice_archive(invoice=archived, actor=SYSTEM)
    results = services.invoices_archive(
        organization=org, ids=[awaiting.pk, paid.pk, archived.pk, 987654], actor=SYSTEM
    )
    assert [(r.id, r.ok, r.error) for r in results] == [
        (awaiting.pk, True, None),
        (paid.pk, False, "paid"),
        (archived.pk, False, "already_archived"),
        (987654, False, "not_found"),
    ]
    statuses = dict(Invoice.objects.values_list("id", "status"))
    assert statuses == {awaiting.pk: "archived", paid.pk: "paid", archived.pk: "archived"}
    assert services.archive_error_text("paid") == "A paid invoice cannot be archived"


def test_expiry_job_uses_the_organization_day(org):
    client = make_client(org)
    today = services.local_today(org)
    ends_today = _manual(client, pay_until=today)
    ended = _manual(client, pay_until=today + timedelta(days=1))
    open_ended = _manual(client)
    zone = organization_zone(org)
    # just before midnight of the last day: still payable
    late_evening = datetime.combine(today + timedelta(days=1), time(23, 59), zone)
    assert services.invoices_expire(late_evening) == 1
    after = datetime.combine(today + timedelta(days=2), time(0, 1), zone)
    assert services.invoices_expire(after) == 1
    assert services.invoices_expire(after) == 0  # nothing twice
    statuses = dict(Invoice.objects.values_list("id", "status"))
    assert statuses == {ends_today.pk: "expired", ended.pk: "expired", open_ended.pk: "awaiting"}
    assert AuditLog.objects.filter(action="invoice.expire").count() == 2


def test_expiry_job_reaches_due_invoices_behind_a_batch_not_yet_due(org, monkeypatch):
    monkeypatch.setattr(services, "EXPIRE_BATCH", 1)
    client = make_client(org)
    today = services.local_today(org)
    tomorrow_last_day = _manual(client, pay_until=today + timedelta(days=1))  # smaller id
    ends_today = _manual(client, pay_until=today)
    late_evening = datetime.combine(today + timedelta(days=1), time(23, 59), organization_zone(org))
    # The first batch holds only the invoice still payable: the job walks on past it.
    assert services.invoices_expire(late_evening) == 1
    statuses = dict(Invoice.objects.values_list("id", "status"))
    assert statuses == {tomorrow_last_day.pk: "awaiting", ends_today.pk: "expired"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_gives_distinct_numbers_without_gaps():
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections need PostgreSQL")
    org = make_org()
    with org_scope(org):
        clients = [make_client(org) for _ in range(8)]
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(clients))

    def issue(client) -> None:
        try:
            barrier.wait()
            with org_scope(org):
                numbers.append(_manual(client).number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    year = services.local_today(org).year
    assert sorted(numbers) == [f"РАХ-{year}-{n:05d}" for n in range(1, 9)]


def test_a_remembered_payer_gets_the_new_invoices(org):
    mother, son = make_client(org, name="Mother"), make_client(org, name="Son")
    services.client_payer_set(client=son, payer=mother, actor=SYSTEM)
    assert _manual(son).payer_id == mother.pk
    other = make_client(org, name="Aunt")
    assert _manual(son, payer=other).payer_id == other.pk  # chosen explicitly
    with pytest.raises(DomainError):
        services.client_payer_set(client=son, payer=son, actor=SYSTEM)
    with pytest.raises(DomainError, match="payer of their own"):
        services.client_payer_set(client=other, payer=son, actor=SYSTEM)
    services.client_payer_set(client=son, payer=None, actor=SYSTEM)
    assert _manual(son).payer_id is None
