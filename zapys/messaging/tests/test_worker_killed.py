"""A real worker process killed with SIGKILL in the middle of a delivery (M2 faults).

`manage.py tick --job messaging.outbox` runs in its own process against the same
database, claims the message and posts it to a provider that does not answer; the test
kills the process with SIGKILL while that request is in flight. Nothing is lost: past
the lease the next sweep reclaims the row and sends it again with the same idempotency
key, and there is still exactly one outbox row.

PostgreSQL only: the other process must see the test's committed rows, which the
in-memory SQLite test database cannot offer.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories_messaging import link_messenger, make_client, make_transport_account
from tests.simulators.sms_gateways import FakeTurboSMS
from tests.simulators.viber import FakeViber
from zapys.core.jobs import run_due_jobs
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message
from zapys.messaging.services import message_send
from zapys.messaging.transports import TurboSmsTransport, ViberTransport

pytestmark = [pytest.mark.postgres_only]

ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def _wait_until(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.05)


def _kill_worker_when(start, condition) -> None:
    """Run `tick --job messaging.outbox --now start` in its own process; SIGKILL it once
    `condition()` holds (its request is at the provider)."""
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "tick",
            "--job",
            "messaging.outbox",
            "--now",
            start.isoformat(),
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _database_url(), "HUEY_IMMEDIATE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(condition)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL


def test_worker_killed_with_sigkill_mid_delivery(transactional_db, org, actor, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database another process can see (PostgreSQL)")
    # No in-process delivery right after commit: the worker process below must be the
    # one that claims the message.
    monkeypatch.setattr(
        "zapys.messaging.services.sending._enqueue_delivery", lambda message_id: None
    )
    with FakeViber() as fake:
        fake.stall_seconds = 60  # the provider holds the request until the worker is dead
        fake.fail("timeout", times=1)
        make_transport_account(
            org,
            "viber",
            "viber",
            {"token": "viber-test-token", "sender_name": "Salon"},
            base_url=fake.base_url,
        )
        client = make_client(org)
        link_messenger(client, "viber", "VIBER-USER-1=")
        message = message_send(
            organization=org,
            event=TEST_MESSAGE,
            variables={},
            actor=actor,
            client=client,
            idempotency_key="visit:9:reminder",
        )
        assert message is not None
        start = timezone.now() + timedelta(seconds=1)
        _kill_worker_when(start, lambda: len(fake.requests) == 1)  # the request is at Viber

        message.refresh_from_db()
        assert message.status == Message.Status.SENDING  # claimed by the dead worker

        # Within Viber's lease nobody touches it (the worker might have been alive)...
        lease = ViberTransport.lease()
        assert outbox.deliver_due(now=start + lease - timedelta(seconds=5)).reclaimed == 0
        message.refresh_from_db()
        assert message.status == Message.Status.SENDING
        assert len(fake.requests) == 1

        # ...past it (about a minute, not ten), the row is reclaimed and sent again with
        # the same key.
        run_due_jobs(start + lease + timedelta(seconds=5), only=["messaging.outbox"])
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
        key = f"{org.pk}:visit:9:reminder"
        assert [r.json()["tracking_data"] for r in fake.requests] == [key] * 2
        assert [s["tracking_data"] for s in fake.sent] == [key]
        assert Message.objects.count() == 1


def test_worker_killed_after_turbosms_accepted_the_sms_sends_it_once(
    transactional_db, org, actor, monkeypatch
):
    """The case the attack hit: the gateway accepted the SMS, the worker died before the
    answer. The resend carries the same `sequence_id`, so the gateway does not send it
    again, and the row records the one SMS that went out."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database another process can see (PostgreSQL)")
    monkeypatch.setattr(
        "zapys.messaging.services.sending._enqueue_delivery", lambda message_id: None
    )
    with FakeTurboSMS() as fake:
        fake.stall_seconds = 60  # accepted, then no answer until the worker is dead
        fake.fail("answer_lost", times=1)
        make_transport_account(
            org,
            "sms",
            "turbosms",
            {"token": "turbosms-test-token", "sender": "Salon"},
            base_url=fake.base_url,
        )
        message = message_send(
            organization=org,
            event=TEST_MESSAGE,
            variables={},
            actor=actor,
            client=make_client(org),
            idempotency_key="visit:10:reminder",
        )
        assert message is not None
        start = timezone.now() + timedelta(seconds=1)
        _kill_worker_when(start, lambda: len(fake.sent) == 1)  # the gateway took it

        message.refresh_from_db()
        assert message.status == Message.Status.SENDING
        run_due_jobs(
            start + TurboSmsTransport.lease() + timedelta(seconds=5), only=["messaging.outbox"]
        )
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
        assert len(fake.requests) == 2 and fake.duplicates == 1
        assert len(fake.sent) == 1
        assert message.provider_message_id == fake.sent[0]["message_id"]
        assert Message.objects.count() == 1
