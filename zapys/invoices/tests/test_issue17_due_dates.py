"""A due date is never before the day of issue (the demo showed one issued 4 December and
due 29 November, already overdue), it reads the same on the invoice page, in the list and
on the public page, and a date on the public page never breaks inside ("2027" alone on a
phone's line)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.pages import staff_page
from zapys.accounts.models import Organization
from zapys.core.tenancy import org_scope, unscoped
from zapys.invoices import services
from zapys.invoices.models import Invoice


@pytest.mark.demo
@pytest.mark.django_db
def test_the_demo_issues_before_it_is_due():
    call_command("demo", stdout=StringIO())
    with unscoped():
        org = Organization.objects.get(slug="demo")
    with org_scope(org):
        invoices = list(Invoice.objects.all())
        assert invoices
        for invoice in invoices:
            issued = services.local_today(org, invoice.created_at)
            assert issued <= invoice.pay_from, invoice.number
            assert invoice.pay_until is None or invoice.pay_from <= invoice.pay_until
        expired = Invoice.objects.get(status="expired")
        assert expired.pay_until is not None


def test_the_form_refuses_a_due_date_before_the_day_of_issue(staff_client, owner, org):
    member = make_client(org)
    yesterday = services.local_today(org) - timedelta(days=1)
    owner.language = "en"
    owner.save(update_fields=["language"])
    response = staff_client.post(
        f"/clients/{member.pk}/invoices/new/",
        {"calculation": "manual", "amount": "400", "pay_until": yesterday.isoformat()},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "pay_until" in form.errors, form.errors
    assert Invoice.objects.count() == 0


def test_the_service_refuses_a_due_date_before_the_day_of_issue(org):
    from zapys.core.exceptions import DomainError

    member = make_client(org)
    yesterday = services.local_today(org) - timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        services.invoice_create(
            client=member, calculation="manual", amount=400, actor=SYSTEM, pay_until=yesterday
        )
    assert caught.value.errors[0]["field"] == "pay_until"
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize(("language", "due"), [("en", "Due"), ("uk", "Сплатити до")])
def test_a_due_date_reads_the_same_everywhere(client, staff_client, owner, org, language, due):
    today = services.local_today(org)
    invoice = services.invoice_create(
        client=make_client(org),
        calculation="manual",
        amount=40_000,
        actor=SYSTEM,
        period_start=today,
        period_end=today + timedelta(days=40),
        pay_until=today + timedelta(days=10),
    )
    detail = staff_page(staff_client, owner, language, "invoices:detail", invoice.pk)
    # due the day the period starts (today); the link works 10 days more
    assert invoice.due_on == today
    shown = detail.split('data-testid="invoice-due-on">')[1].split("<")[0]
    assert f">{due}</dt>" in detail and shown.startswith(f"{today.day} ")
    until = detail.split('data-testid="invoice-pay-until">')[1].split("<")[0]
    assert until.startswith(f"{invoice.pay_until.day} ")
    listing = staff_page(staff_client, owner, language, "invoices:list")
    assert f"<th>{due}</th>" in listing
    client.cookies["django_language"] = language
    page = client.get(f"/i/{invoice.token}/?lang={language}").content.decode()
    assert f">{due}</dt>" in page
    assert page.split('data-testid="page-due-on">')[1].split("<")[0] == shown
    assert page.split('data-testid="page-pay-until">')[1].split("<")[0] == until
    period = page.split('data-testid="page-period">')[1].split("</dd>")[0]
    assert period.count('<span class="text-nowrap">') == 2
