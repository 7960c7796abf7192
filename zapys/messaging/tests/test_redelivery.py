"""Issue 10: a killed worker's messages wait about a minute, not ten, and a message sent
again carries the same key, so providers whose protocol has one deliver it once.

What the attack showed: killing a worker mid-delivery sent one message twice and held two
others for the outbox's fixed 10-minute lease. Each transport now declares its lease from
its own timeouts, the sweep reclaims every row by its transport's lease in one UPDATE,
and the outbox's key reaches TurboSMS as `sequence_id` and e-mail as the Message-ID.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_messaging import make_client, make_transport_account
from tests.simulators.sms_gateways import FakeTurboSMS
from zapys.core.crypto import decrypt_json
from zapys.core.jobs import run_due_jobs
from zapys.core.tenancy import org_scope
from zapys.messaging import outbox
from zapys.messaging.events import TEST_MESSAGE
from zapys.messaging.models import Message
from zapys.messaging.services import message_send
from zapys.messaging.transports import (
    LEASE_MARGIN,
    TRANSPORTS,
    EmailTransport,
    OutgoingMessage,
    TurboSmsTransport,
    get_transport,
)
from zapys.messaging.transports.turbosms import sequence_id

pytestmark = pytest.mark.django_db

TURBO = {"token": "turbosms-test-token", "sender": "Salon"}


def queue(org, actor, client, key: str, channel: str | None = None) -> Message:
    message = message_send(
        organization=org,
        event=TEST_MESSAGE,
        variables={},
        actor=actor,
        client=client,
        idempotency_key=key,
        channel=channel,
    )
    assert message is not None
    return message


def doomed_worker(now) -> list[Message]:
    """A worker that claims due messages, hands them to the provider and is killed
    before it writes down the results."""
    batch = outbox.claimed(outbox.claim(now=now))
    for message in batch:
        account = message.transport_account
        assert account is not None
        get_transport(
            account.code, decrypt_json(account.credentials_encrypted), base_url=account.base_url
        ).send(
            OutgoingMessage(
                channel=message.channel,  # type: ignore[arg-type]
                recipient=message.recipient,
                text=message.text,
                subject=message.subject,
                idempotency_key=outbox.delivery_key(message),
            )
        )
    return batch


def status(message: Message) -> str:
    message.refresh_from_db()
    return message.status


# -- leases ------------------------------------------------------------------------------


def test_each_transport_declares_a_lease_from_its_own_timeouts():
    leases = {code: cls.lease() for code, cls in TRANSPORTS.items()}
    # HTTP gateways: 10 s per step (connect, write, read), two such sends plus the margin.
    assert leases == {
        "turbosms": timedelta(seconds=75),
        "twilio": timedelta(seconds=75),
        "telegram": timedelta(seconds=75),
        "viber": timedelta(seconds=75),
        "email": timedelta(seconds=175),  # SMTP: 10 s for each of 8 commands
        "console": timedelta(seconds=17),
    }
    for cls in TRANSPORTS.values():
        assert cls.lease() >= 2 * cls.max_send_time() + LEASE_MARGIN
        assert cls.lease() < outbox.DEFAULT_LEASE  # the old fixed lease for everybody
    # The outbox builds transports with the timeout their lease was computed from.
    built = get_transport("turbosms", TURBO)
    assert built.timeout == TurboSmsTransport.send_timeout == 10


def test_the_sweep_reclaims_each_row_after_its_own_transports_lease(org, actor):
    make_transport_account(org, "sms", "turbosms", TURBO, base_url="http://127.0.0.1:9")
    make_transport_account(org, "email", "email")
    client = make_client(org, email="olena@example.com")
    sms = queue(org, actor, client, "visit:1:reminder", channel="sms")
    email = queue(org, actor, client, "visit:2:reminder", channel="email")
    start = timezone.now()
    assert len(outbox.claimed(outbox.claim(now=start))) == 2  # ...and the worker dies

    sms_lease, email_lease = TurboSmsTransport.lease(), EmailTransport.lease()
    assert outbox.reclaim_stale(now=start + sms_lease - timedelta(seconds=1)) == 0
    with CaptureQueriesContext(connection) as queries:
        assert outbox.reclaim_stale(now=start + sms_lease + timedelta(seconds=1)) == 1
    assert len(queries) == 1  # one UPDATE, whatever the number of transports and rows
    assert (status(sms), status(email)) == ("queued", "sending")
    assert outbox.reclaim_stale(now=start + email_lease + timedelta(seconds=1)) == 1
    assert status(email) == "queued"
    email.refresh_from_db()
    assert email.claim_token == "" and email.next_attempt_at == start + email_lease + timedelta(
        seconds=1
    )


def test_a_row_of_an_unregistered_transport_keeps_the_long_lease(org, actor):
    make_transport_account(org, "sms")
    message = queue(org, actor, make_client(org), "k1")
    Message.objects.filter(pk=message.pk).update(transport_code="retired-gateway")
    start = timezone.now()
    outbox.claim(now=start)
    assert outbox.reclaim_stale(now=start + timedelta(minutes=9)) == 0
    assert outbox.reclaim_stale(now=start + outbox.DEFAULT_LEASE + timedelta(seconds=1)) == 1


def test_a_batch_never_holds_a_sent_row_past_its_lease(org, actor, monkeypatch):
    """Every send takes 25 s here: TurboSMS's lease (75 s) leaves room for two sends
    (its longest send is 30 s, the write needs the 15 s margin); the rest of the batch
    goes back to the queue untouched for the next batch, instead of being sent and then
    written down after another worker could have reclaimed and sent it again."""
    clock = SimpleNamespace(seconds=0.0)
    # The pacer (the provider's rate limit) may ask to wait a moment between the sends:
    # on this fake clock that wait passes at once.
    monkeypatch.setattr(
        outbox,
        "time",
        SimpleNamespace(monotonic=lambda: clock.seconds, sleep=lambda seconds: None),
    )

    class SlowTurboSMS(FakeTurboSMS):
        def respond(self, request, failure):
            clock.seconds += 25
            return super().respond(request, failure)

    with SlowTurboSMS() as fake:
        make_transport_account(org, "sms", "turbosms", TURBO, base_url=fake.base_url)
        client = make_client(org)
        messages = [queue(org, actor, client, f"m{i}") for i in range(4)]
        now = timezone.now()
        stats = outbox.deliver_claimed(outbox.claimed(outbox.claim(now=now)), now=now)
    assert (stats.sent, len(fake.sent)) == (2, 2)
    assert [status(m) for m in messages] == ["sent", "sent", "queued", "queued"]
    released = messages[2]
    assert (released.attempts, released.claim_token, released.claimed_at) == (0, "", None)


def test_a_slow_transport_is_not_crowded_out_by_a_fast_ones_lease(org, actor):
    """E-mail's longest send (80 s) is longer than TurboSMS's lease allows; sent first,
    both go out in one batch."""
    with FakeTurboSMS() as fake:
        make_transport_account(org, "sms", "turbosms", TURBO, base_url=fake.base_url)
        make_transport_account(org, "email", "email")
        client = make_client(org, email="olena@example.com")
        sms = queue(org, actor, client, "visit:1:reminder", channel="sms")
        email = queue(org, actor, client, "visit:2:reminder", channel="email")
        now = timezone.now()
        stats = outbox.deliver_claimed(outbox.claimed(outbox.claim(now=now)), now=now)
    assert stats.sent == 2
    assert (status(sms), status(email)) == ("sent", "sent")
    assert len(fake.sent) == len(mail.outbox) == 1


# -- the same key on every attempt -----------------------------------------------------------


def test_a_killed_workers_sms_is_sent_again_and_turbosms_drops_the_copy(org, actor):
    with FakeTurboSMS() as fake:
        make_transport_account(org, "sms", "turbosms", TURBO, base_url=fake.base_url)
        message = queue(org, actor, make_client(org), "visit:7:reminder")
        start = timezone.now()
        doomed_worker(start)
        assert status(message) == "sending" and len(fake.sent) == 1

        summary = dict(
            run_due_jobs(
                start + TurboSmsTransport.lease() + timedelta(seconds=1), only=["messaging.outbox"]
            )
        )["messaging.outbox"]
        assert "reclaimed 1" in summary and "sent 1" in summary

        message.refresh_from_db()
        assert message.status == Message.Status.SENT and message.attempts == 2
        # Two requests with one sequence id; the gateway ran the first only and answered
        # the second with its result, so the row points at the one SMS that went out.
        key = sequence_id(f"{org.pk}:visit:7:reminder")
        assert [r.json()["sequence_id"] for r in fake.requests] == [key, key]
        assert fake.duplicates == 1
        assert [s["sequence_id"] for s in fake.sent] == [key]
        assert message.provider_message_id == fake.sent[0]["message_id"]


def test_an_sms_whose_answer_was_lost_is_retried_without_a_second_sms(org, actor, monkeypatch):
    monkeypatch.setattr(TurboSmsTransport, "send_timeout", 0.3)
    with FakeTurboSMS() as fake:
        fake.stall_seconds = 1.0
        make_transport_account(org, "sms", "turbosms", TURBO, base_url=fake.base_url)
        message = queue(org, actor, make_client(org), "visit:8:reminder")
        fake.fail("answer_lost", times=1)  # accepted, then the answer never arrives
        start = timezone.now()
        outbox.deliver_due(now=start)
        message.refresh_from_db()
        assert message.status == Message.Status.QUEUED and "timed out" in message.last_error
        assert len(fake.sent) == 1

        outbox.deliver_due(now=message.next_attempt_at)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(fake.requests) == 2 and len(fake.sent) == 1 and fake.duplicates == 1
    assert message.provider_message_id == fake.sent[0]["message_id"]


def test_different_messages_are_not_taken_for_duplicates(org, actor, other_org):
    """The key is the row's, prefixed with its organization: two organizations on one
    gateway account may both send "order-1"."""

    with FakeTurboSMS() as fake:
        make_transport_account(org, "sms", "turbosms", TURBO, base_url=fake.base_url)
        queue(org, actor, make_client(org), "order-1")
        queue(org, actor, make_client(org, phone="+380671234567"), "order-2")
        with org_scope(other_org):
            make_transport_account(other_org, "sms", "turbosms", TURBO, base_url=fake.base_url)
            message_send(
                organization=other_org,
                event=TEST_MESSAGE,
                variables={},
                actor=SYSTEM,
                client=make_client(other_org),
                idempotency_key="order-1",
            )
        outbox.deliver_due(now=timezone.now())
    assert len(fake.sent) == 3 and fake.duplicates == 0
    assert len({s["sequence_id"] for s in fake.sent}) == 3


def test_a_killed_workers_email_is_sent_again_with_the_same_message_id(org, actor):
    make_transport_account(org, "email", "email")
    client = make_client(org, email="olena@example.com")
    message = queue(org, actor, client, "visit:9:reminder", channel="email")
    start = timezone.now()
    doomed_worker(start)
    outbox.deliver_due(now=start + EmailTransport.lease() + timedelta(seconds=1))

    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    # The mail went out twice; a mail client shows one, since both carry one Message-ID.
    assert len(mail.outbox) == 2
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {message.provider_message_id}
