"""The demo gives the Reports section a real business's month: money by several purposes and
methods last month and this one, refunds, a cancelled mistake, and payment links that were
sent, opened, paid or expired."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from zapys.accounts.models import Organization
from zapys.core.report_period import period_of
from zapys.core.tenancy import org_scope, organization_zone, unscoped
from zapys.ledger.models import Entry
from zapys.reports import funnel, selectors

pytestmark = pytest.mark.demo


@pytest.mark.django_db
def test_the_demo_fills_the_reports():
    call_command("demo", stdout=StringIO())
    with unscoped():
        org = Organization.objects.get(slug="demo")
    with org_scope(org), timezone.override(organization_zone(org)):
        last_month = selectors.money_for(period_of("last_month"))
        # Money on most days of last month, not one fat bar of today.
        assert len(last_month.by_bucket) >= 20
        assert {line.key for line in last_month.by_method} >= {"cash", "card", "online"}
        assert {line.key for line in last_month.by_purpose} >= {"payment", "top_up"}
        assert last_month.total.refunded > 0
        assert Entry.objects.filter(status=Entry.Status.CANCELLED).exists()
        result = funnel.funnel_for(period_of("last_30"))
        top_ups = next(stage for stage in result.by_purpose if stage.key == "top_up")
        # A link a day, by message: most opened, most of those paid, some left to expire.
        # The demo sends through the test mode: its messages reached no one, so they are
        # counted as the test mode's, never as sent or delivered.
        assert top_ups.links >= 30 and top_ups.test_mode >= 25
        assert (top_ups.sent, top_ups.delivered) == (0, 0)
        assert top_ups.opened >= 20 and top_ups.paid >= 15 and top_ups.expired >= 5
        assert len(result.by_hour) >= 5
