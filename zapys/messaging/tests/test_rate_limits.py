"""Each account's rate limit in the outbox: its own setting, else the provider's usual one
(Telegram ~30/s), else none; the pause counts towards the batch's lease."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_messaging import make_client, make_transport_account
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message, TransportAccount
from zapys.messaging.services import message_send

pytestmark = pytest.mark.django_db


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _queue(org, n):
    for i in range(n):
        client = make_client(org, f"Client {i}", phone=f"+38050000{i:04d}")
        message_send(
            organization=org,
            event=TEST_MESSAGE,
            variables={},
            actor=SYSTEM,
            client=client,
            idempotency_key=f"rate-{i}",
        )


def _deliver(clock):
    with (
        mock.patch.object(outbox, "PACER", outbox.Pacer(clock)),
        mock.patch.object(outbox.time, "sleep", clock.sleep),
    ):
        return outbox.deliver_due(now=timezone.now())


def test_account_limit_spaces_the_sends(org):
    account = make_transport_account(org)
    TransportAccount.objects.filter(pk=account.pk).update(max_per_second=5)
    _queue(org, 10)
    clock = FakeClock()
    stats = _deliver(clock)
    assert stats.sent == 10
    # 10 sends at 5 a second: the first at once, then one every 0.2 s
    assert len(clock.slept) == 9
    assert sum(clock.slept) == pytest.approx(1.8)
    assert Message.objects.filter(status__in=["sent", "delivered"]).count() == 10


def test_console_without_a_limit_never_waits(org):
    make_transport_account(org)
    _queue(org, 5)
    clock = FakeClock()
    assert _deliver(clock).sent == 5
    assert clock.slept == []


def test_provider_defaults():
    assert outbox.rate_for(TransportAccount(code="telegram")) == 25.0  # under Telegram's ~30/s
    assert outbox.rate_for(TransportAccount(code="telegram", max_per_second=3)) == 3.0
    assert outbox.rate_for(TransportAccount(code="console")) is None
    assert outbox.rate_for(TransportAccount(code="email")) is None


def test_rows_that_would_wait_past_the_lease_go_back_untouched(org):
    account = make_transport_account(org)
    TransportAccount.objects.filter(pk=account.pk).update(max_per_second=1)
    _queue(org, 3)
    clock = FakeClock()
    pacer = outbox.Pacer(clock)
    # The account's next slot is far beyond any lease: nothing is sent, nothing is lost.
    pacer.next_at[account.pk] = clock.now + 3600
    with (
        mock.patch.object(outbox, "PACER", pacer),
        mock.patch.object(outbox.time, "sleep", clock.sleep),
    ):
        stats = outbox.deliver_due(now=timezone.now(), max_batches=1)
    assert stats.sent == 0 and clock.slept == []
    assert sorted(Message.objects.values_list("status", "attempts")) == [("queued", 0)] * 3


def test_limit_setting_bounds(org):
    from zapys.core.exceptions import DomainError
    from zapys.messaging.services import transport_account_save

    with pytest.raises(DomainError):
        transport_account_save(
            organization=org,
            actor=SYSTEM,
            channel="sms",
            code="console",
            credentials={},
            max_per_second=5000,
        )
    saved = transport_account_save(
        organization=org,
        actor=SYSTEM,
        channel="sms",
        code="console",
        credentials={},
        max_per_second=9,
    )
    assert saved.max_per_second == 9
