"""Delivery: claiming, retries with backoff, permanent errors, killed workers (M2 faults).

Providers are the local fakes in tests/simulators, reached over HTTP through the
transport accounts' base URL; time is driven by calling the sweep "as if" at later
moments, the way `manage.py tick --now` does.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SYSTEM, make_org
from tests.factories_messaging import link_messenger, make_client, make_transport_account
from tests.simulators.sms_gateways import FakeTurboSMS
from tests.simulators.telegram import FakeTelegram
from tests.simulators.viber import FakeViber
from zapys.core.crypto import decrypt_json
from zapys.core.jobs import run_due_jobs
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message, TransportAccount
from zapys.messaging.services import (
    message_retry,
    message_send,
    messaging_settings_save,
    sending,
    staff_notify,
)
from zapys.messaging.transports import OutgoingMessage, ViberTransport, get_transport

pytestmark = pytest.mark.django_db

TURBO = {"token": "turbosms-test-token", "sender": "Salon"}


@pytest.fixture
def turbosms(org):
    with FakeTurboSMS() as fake:
        make_transport_account(org, "sms", "turbosms", TURBO, base_url=fake.base_url)
        yield fake


def queue(org, actor, client, key="m1", **kwargs):
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=client,
        idempotency_key=key,
        **kwargs,
    )
    assert message is not None
    return message


def tick(now):
    """What `manage.py tick --now` does for this app's job."""
    return dict(run_due_jobs(now, only=["messaging.outbox"]))["messaging.outbox"]


def test_backoff_grows_exponentially_and_is_capped():
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 8)] == [
        1,
        2,
        4,
        8,
        16,
        30,
        30,
    ]
    assert outbox.backoff(1, retry_after=300) == timedelta(minutes=5)


def test_sms_through_turbosms_fake(org, actor, turbosms):
    client = make_client(org)
    message = queue(org, actor, client)
    summary = tick(timezone.now())
    assert "sent 1" in summary
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.provider_message_id == turbosms.sent[0]["message_id"]
    assert turbosms.sent[0]["phone"] == "380501234567"
    assert turbosms.sent[0]["text"] == message.text
    assert turbosms.sent[0]["sender"] == "Salon"


def test_gateway_down_for_an_hour_then_back(org, actor, turbosms):
    client = make_client(org)
    messages = [queue(org, actor, client, key=f"m{i}") for i in range(3)]
    turbosms.fail("server_error")
    start = timezone.now()
    for minute in range(0, 61, 5):  # the scheduler ticks through the outage
        tick(start + timedelta(minutes=minute))
    for message in messages:
        message.refresh_from_db()
        assert message.status == Message.Status.QUEUED
        assert "HTTP 500" in message.last_error
        # Backoff: 1+2+4+8+16+30 minutes, so at most 6 attempts in the hour, not 13.
        assert 4 <= message.attempts <= 6
        assert message.next_attempt_at > start + timedelta(minutes=60)
    requests_during_outage = len(turbosms.requests)
    assert requests_during_outage == sum(m.attempts for m in messages)

    turbosms.recover()
    tick(start + timedelta(minutes=61))  # not due yet: nobody is hammered
    assert len(turbosms.requests) == requests_during_outage
    tick(start + timedelta(minutes=120))
    for message in messages:
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
        assert message.last_error == ""
    assert sorted(s["phone"] for s in turbosms.sent) == ["380501234567"] * 3


def test_permanent_error_stops_retries(org, actor, turbosms):
    client = make_client(org, phone="+380000000000")
    turbosms.invalid_numbers.add("380000000000")
    message = queue(org, actor, client)
    start = timezone.now()
    tick(start)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == 1
    assert "INVALID_PHONE" in message.last_error
    tick(start + timedelta(hours=3))
    assert len(turbosms.requests) == 1


def test_out_of_attempts_fails(org, actor, turbosms, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 2)
    message = queue(org, actor, make_client(org))
    turbosms.fail("server_error")
    start = timezone.now()
    tick(start)
    tick(start + timedelta(minutes=5))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 2
    # Staff can put it back once the gateway works again.
    turbosms.recover()
    message_retry(message=message, actor=actor, now=start + timedelta(minutes=6))
    tick(start + timedelta(minutes=7))
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def test_bad_credentials_fail_permanently(org, actor):
    with FakeTurboSMS(token="other") as fake:
        make_transport_account(org, "sms", "turbosms", TURBO, base_url=fake.base_url)
        message = queue(org, actor, make_client(org))
        tick(timezone.now())
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "turbosms-test-token" not in message.last_error


def test_worker_killed_mid_delivery_is_reclaimed_with_the_same_key(org, actor):
    """The worker claimed the row, the provider got the message, then SIGKILL."""
    with FakeViber() as fake:
        make_transport_account(
            org,
            "viber",
            "viber",
            {"token": "viber-test-token", "sender_name": "Salon"},
            base_url=fake.base_url,
        )
        client = make_client(org)
        link_messenger(client, "viber", "VIBER-USER-1=")
        message = queue(org, actor, client, key="visit:7:reminder")
        start = timezone.now()

        # The doomed worker: claims, sends, dies before recording the result.
        token = outbox.claim(now=start)
        [claimed] = outbox.claimed(token)
        account = claimed.transport_account

        get_transport(
            account.code, decrypt_json(account.credentials_encrypted), base_url=account.base_url
        ).send(
            OutgoingMessage(
                channel="viber",
                recipient=claimed.recipient,
                text=claimed.text,
                idempotency_key=outbox.delivery_key(claimed),
            )
        )
        message.refresh_from_db()
        assert message.status == Message.Status.SENDING

        # Within the lease another sweep leaves it alone (the worker may still be alive).
        lease = ViberTransport.lease()
        assert outbox.deliver_due(now=start + lease - timedelta(seconds=1)).reclaimed == 0
        message.refresh_from_db()
        assert message.status == Message.Status.SENDING
        assert len(fake.sent) == 1

        # Past the lease it is reclaimed and sent again with the same key. Viber's API
        # has no idempotency key, so the user gets it twice (test_redelivery.py shows
        # TurboSMS and e-mail, whose protocols have one).
        summary = tick(start + lease + timedelta(seconds=1))
        assert "reclaimed 1" in summary
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
        assert message.attempts == 2
        assert [s["tracking_data"] for s in fake.sent] == [f"{org.pk}:visit:7:reminder"] * 2
        assert Message.objects.count() == 1


def test_two_workers_never_claim_the_same_message(org, actor):
    make_transport_account(org, "sms")
    client = make_client(org)
    for i in range(5):
        queue(org, actor, client, key=f"k{i}")
    now = timezone.now()
    first = outbox.claimed(outbox.claim(now=now, limit=3))
    second = outbox.claimed(outbox.claim(now=now, limit=3))
    third = outbox.claimed(outbox.claim(now=now, limit=3))
    assert len(first) == 3 and len(second) == 2 and third == []
    assert not {m.pk for m in first} & {m.pk for m in second}


def test_the_after_commit_task_and_the_sweep_do_not_double_send(
    org, actor, django_capture_on_commit_callbacks
):
    make_transport_account(org, "sms")
    with django_capture_on_commit_callbacks(execute=True):
        message = queue(org, actor, make_client(org))
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert "sent 0" in tick(timezone.now() + timedelta(minutes=1))
    message.refresh_from_db()
    assert message.attempts == 1


def test_account_switched_off_after_queueing_uses_the_current_one(org, actor, turbosms):

    message = queue(org, actor, make_client(org))
    TransportAccount.objects.update(is_active=False)
    tick(timezone.now())
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "no active transport account" in message.last_error


def test_telegram_rate_limit_honours_retry_after(org, actor):
    with FakeTelegram() as fake:
        fake.retry_after = 600
        make_transport_account(
            org, "telegram", "telegram", {"token": fake.token}, base_url=fake.base_url
        )
        client = make_client(org)
        link_messenger(client, "telegram", "100")
        message = queue(org, actor, client)
        fake.fail("rate_limited", times=1)
        start = timezone.now()
        tick(start)
        message.refresh_from_db()
        assert message.status == Message.Status.QUEUED
        assert message.next_attempt_at >= start + timedelta(seconds=600)
        tick(start + timedelta(minutes=11))
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
        assert fake.sent[0]["chat_id"] == "100"


def test_staff_notification_goes_to_the_staff_telegram_chat(org, actor):
    with FakeTelegram() as fake:
        make_transport_account(
            org, "telegram", "telegram", {"token": fake.token}, base_url=fake.base_url
        )
        messaging_settings_save(organization=org, staff_telegram_chat_id="-100500", actor=actor)
        notification = staff_notify(
            organization=org, title="Payment received", body="500.00 UAH", url="/payments/1/"
        )
        tick(timezone.now())
        assert fake.sent[0]["chat_id"] == "-100500"
        assert fake.sent[0]["text"] == "Payment received\n500.00 UAH\n/payments/1/"
        message = Message.objects.get()
        assert message.idempotency_key == f"staff-notification:{notification.pk}"


def test_queries_per_batch_are_constant(org, actor):
    make_transport_account(org, "sms")
    client = make_client(org)

    def run(count: int, prefix: str) -> int:
        for i in range(count):
            queue(org, actor, client, key=f"{prefix}{i}")
        with CaptureQueriesContext(connection) as ctx:
            stats = outbox.deliver_due(now=timezone.now() + timedelta(seconds=1), batch_size=10)
        assert stats.sent == count and stats.batches == count // 10
        return len(ctx)

    one_batch = run(10, "a")
    four_batches = run(40, "b")
    per_batch = (four_batches - one_batch) / 3
    # claim (savepoint, select, update, release), read back, results with one
    # executemany (savepoint, statement, release).
    assert per_batch == 8
    assert one_batch - per_batch <= 4  # reclaim and the last, empty claim


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_deliver_every_message_exactly_once(monkeypatch):
    """Four threads (each with its own database connection) sweep the same queue."""

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the in-memory (shared-cache) test database cannot take parallel writers")
    # Leave the after-commit fast path out: here only the sweeping workers deliver.
    monkeypatch.setattr(sending, "_enqueue_delivery", lambda message_id: None)

    org = make_org("Concurrent")
    with org_scope(org):
        make_transport_account(org, "sms")
        client = make_client(org)
        for i in range(60):
            queue(org, SYSTEM, client, key=f"c{i}")
    now = timezone.now() + timedelta(seconds=1)
    claimed_ids: list[list[int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        mine: list[int] = []
        try:
            while True:
                batch = outbox.claimed(outbox.claim(now=now, limit=5))
                if not batch:
                    break
                mine.extend(m.pk for m in batch)
                outbox.deliver_claimed(batch, now=now)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            claimed_ids.append(mine)
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    every = [pk for ids in claimed_ids for pk in ids]
    assert len(every) == len(set(every)) == 60
    with unscoped():
        assert set(Message.objects.values_list("status", flat=True)) == {"delivered"}
        assert set(Message.objects.values_list("attempts", flat=True)) == {1}
