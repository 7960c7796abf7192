"""A salon with an address and a phone, a specialist, a service, a client with a phone and
console transports: every confirmation or reminder queued shows up in the outbox."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.factories import SYSTEM
from tests.factories_messaging import make_transport_account
from tests.factories_schedule import local, make_service, make_specialist
from zapys.accounts.services import branch_update
from zapys.clients.models import Client
from zapys.messaging.models import Message


@pytest.fixture
def salon(org, branch):
    branch_update(branch=branch, address="вул. Хрещатик, 22", phone="+380441234567", actor=SYSTEM)
    make_transport_account(org, "sms")
    specialist = make_specialist(org, branch, first_name="Марія", last_name="Шевченко")
    service = make_service(org, "Стрижка жіноча", branches=[branch])
    client = Client.objects.create(
        organization=org,
        name="Коваль Оксана",
        first_name="Оксана",
        last_name="Коваль",
        phone="+380501234567",
    )
    return {"org": org, "branch": branch, "staff": specialist, "service": service, "client": client}


def at(org, day: int, hh: int, mm: int = 0) -> datetime:
    """December 2026, the organization's wall clock."""
    return local(org, 2026, 12, day, hh, mm)


def sent(event: str | None = None) -> list[Message]:
    found = Message.objects.order_by("id")
    return list(found.filter(event=event) if event else found)
