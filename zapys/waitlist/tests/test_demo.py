"""The demo has a waiting list: clients waiting, an offer awaiting payment and a re-sold slot."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zapys.accounts.models import Organization
from zapys.core.tenancy import org_scope, unscoped
from zapys.waitlist.models import Entry, Offer


@pytest.mark.django_db
def test_demo_waiting_list():
    call_command("demo", stdout=StringIO())
    with unscoped():
        org = Organization.objects.get(slug="demo")
    with org_scope(org):
        statuses = set(Entry.objects.values_list("status", flat=True))
        assert {"waiting", "offered", "booked"} <= statuses, statuses
        assert set(Offer.objects.values_list("status", flat=True)) == {"open", "booked"}
        booked = Offer.objects.get(status="booked")
        assert booked.visit is not None and booked.visit.client_id == booked.client_id
