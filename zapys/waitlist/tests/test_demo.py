"""The demo has a waiting list: clients waiting, an offer awaiting payment and a time filled from the list.

One client per time: the open offers are of times nobody booked, and no offered client has
a visit of their own then (the first demo read as one time sold twice)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from zapys.accounts.models import Organization
from zapys.core.tenancy import org_scope, unscoped
from zapys.schedule.models import Visit
from zapys.waitlist.models import Entry, Offer

pytestmark = pytest.mark.demo


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
        booked_at = {(booked.staff_id, booked.starts_at)}
        for offer in Offer.objects.filter(status="open"):
            assert (offer.staff_id, offer.starts_at) not in booked_at
            assert offer.starts_at != booked.starts_at  # not even another specialist's
            own = Visit.objects.filter(
                client=offer.client,
                blocks_time=True,
                starts_at__lt=offer.ends_at,
                ends_at__gt=offer.starts_at,
            )
            assert not own.exists(), offer
