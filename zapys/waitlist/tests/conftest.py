"""Waiting-list fixtures: a salon with a specialist, a service, a sandbox payment account, a
console SMS transport (so offers reach the outbox) and links pointing at the test server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories_messaging import make_transport_account
from tests.factories_payments import make_account
from tests.factories_payments import make_client as _make_client
from tests.factories_schedule import make_service, make_specialist, make_visit


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def salon(org, branch, owner):
    make_account(org, "sandbox")
    make_transport_account(org)
    specialist = make_specialist(org, branch, first_name="Iryna", last_name="Bondar")
    service = make_service(org, "Manicure", price=45000, branches=[branch])
    return specialist, service


@pytest.fixture
def make_client(org):
    return lambda name=None: _make_client(org, name)


@pytest.fixture
def booked_slot(org, branch, salon, make_client):
    """A visit two days ahead at 10:00 (local), taken by someone else."""
    specialist, service = salon
    start = (timezone.localtime(timezone.now()) + timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return make_visit(
        org, client=make_client("Taken Tamara"), staff=specialist, service=service, starts_at=start
    )
