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
from tests.simulators.viber import FakeViber
from zapys.core.jobs import run_due_jobs
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message
from zapys.messaging.services import message_send

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


def test_worker_killed_with_sigkill_mid_delivery(transactional_db, org, actor, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database another process can see (PostgreSQL)")
    # No in-process delivery right after commit: the worker process below must be the
    # one that claims the message.
    monkeypatch.setattr("zapys.messaging.services._enqueue_delivery", lambda message_id: None)
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
            _wait_until(lambda: len(fake.requests) == 1)  # the request is at the provider
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL

        message.refresh_from_db()
        assert message.status == Message.Status.SENDING  # claimed by the dead worker

        # Within the lease nobody touches it (the worker might have been alive)...
        run_due_jobs(start + timedelta(minutes=1), only=["messaging.outbox"])
        message.refresh_from_db()
        assert message.status == Message.Status.SENDING
        assert len(fake.requests) == 1

        # ...past it, the row is reclaimed and sent again with the same key.
        run_due_jobs(start + outbox.LEASE + timedelta(minutes=2), only=["messaging.outbox"])
        message.refresh_from_db()
        assert message.status == Message.Status.SENT
        assert [r.json()["tracking_data"] for r in fake.requests] == ["visit:9:reminder"] * 2
        assert [s["tracking_data"] for s in fake.sent] == ["visit:9:reminder"]
        assert Message.objects.count() == 1
