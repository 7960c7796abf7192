from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories_clients import make_client
from tests.factories_messaging import make_console_accounts
from zapys.broadcasts import services
from zapys.broadcasts.models import Broadcast
from zapys.core.audit import Actor
from zapys.messaging import outbox
from zapys.messaging.models import Message


@pytest.fixture
def consoles(org):
    """Console transports on every channel: everything "goes out" to the log."""
    return make_console_accounts(org)


@pytest.fixture
def in_language(owner) -> Callable[[str], None]:
    """Switch the signed-in owner's pages to a language: `in_language("uk")`."""

    def switch(language: str) -> None:
        owner.language = language
        owner.save(update_fields=["language"])

    return switch


@pytest.fixture
def staff_page(staff_client) -> Callable[..., str]:
    """A staff page's HTML by URL name and arguments, asserting it answered 200."""

    def get(name: str, *args: object) -> str:
        response = staff_client.get(reverse(name, args=args))
        assert response.status_code == 200
        return response.content.decode()

    return get


@pytest.fixture
def sent_broadcast(org, consoles) -> Callable[..., Broadcast]:
    """A finished broadcast to `n` new clients by SMS, delivered by the console transports
    (the test mode); with `real=True`, as if a real SMS gateway had delivered them."""

    def send(n: int = 3, *, real: bool = False) -> Broadcast:
        for i in range(n):
            make_client(org, f"Шевченко Олена{i}", phone=f"+38050123450{i}")
        with mock.patch.object(services, "_enqueue"):
            broadcast = services.broadcast_create(
                organization=org,
                spec=services.AudienceSpec("all"),
                channel="sms",
                text="Hi {client.first_name}!",
                send_at=None,
                actor=Actor.system("tests"),
            )
        services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
        outbox.deliver_due(now=timezone.now())
        if real:
            Message.objects.filter(related_id=str(broadcast.pk)).update(transport_code="turbosms")
        assert services.broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
        broadcast.refresh_from_db()
        return broadcast

    return send
