"""The demo has invoices in every status, a family with a payer, a monthly rule and
reminders; each invoice still to pay is due a week or more after it was issued."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.demo_build import demo_built
from zapys.core.models import CalendarSchedule
from zapys.core.tenancy import org_scope, organization_zone
from zapys.invoices.models import DunningLevel, Invoice, InvoiceRule

pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    with demo_built(django_db_blocker) as org:  # one build for the module's tests
        yield org


@pytest.fixture
def demo(demo_once, db):
    with org_scope(demo_once):
        yield demo_once


def test_demo_invoices(demo):
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


def test_an_invoice_to_pay_is_due_a_week_or_more_after_it_was_issued(demo):
    """Tour 6, #7: every December invoice was issued and due on 5 December, so the demo's
    own reminder two days before the due date could never fire."""
    zone = organization_zone(demo)
    today = timezone.localtime(timezone.now(), zone).date()
    to_pay = list(Invoice.objects.filter(status__in=["awaiting", "partially_paid"]))
    assert len(to_pay) >= 3
    for invoice in to_pay:
        issued = timezone.localtime(invoice.created_at, zone).date()
        assert invoice.due_on >= issued + timedelta(days=7), invoice.comment
    before = min(level.days_from_due for level in DunningLevel.objects.all())
    assert before < 0
    # the reminder before the due date is still to come for each of them
    assert all(invoice.due_on + timedelta(days=before) > today for invoice in to_pay)
