"""The demo has invoices in every status, a family with a payer, a monthly rule and
reminders."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zapys.accounts.models import Organization
from zapys.core.models import CalendarSchedule
from zapys.core.tenancy import org_scope, unscoped
from zapys.invoices.models import DunningLevel, Invoice, InvoiceRule

pytestmark = pytest.mark.demo


@pytest.mark.django_db
def test_demo_invoices():
    call_command("demo", stdout=StringIO())
    with unscoped():
        org = Organization.objects.get(slug="demo")
    with org_scope(org):
        statuses = set(Invoice.objects.values_list("status", flat=True))
        assert statuses == {"awaiting", "partially_paid", "paid", "expired", "archived"}
        assert Invoice.objects.filter(payer__isnull=False).count() == 1
        partial = Invoice.objects.get(status="partially_paid")
        assert 0 < partial.paid_amount < partial.amount
        rule = InvoiceRule.objects.get()
        assert (
            CalendarSchedule.objects.get(work="invoices.rule", subject_id=rule.pk).frequency
            == "monthly"
        )
        assert DunningLevel.objects.count() == 2
