"""Delivery of queued messages: claim, send, record (M2, DESIGN rule 9).

Life of a row: queued → (claim) sending → sent / delivered, or back to queued with a
later `next_attempt_at` (transient error, exponential backoff), or failed (permanent
error, or out of attempts).

Claiming is one conditional UPDATE (`... WHERE status='queued'`) that stamps the rows
with a random claim token; the worker then reads back exactly the rows carrying its
token. Two workers can race for the same rows and only one UPDATE matches each of
them. On PostgreSQL the candidate ids are picked with `SELECT ... FOR UPDATE SKIP
LOCKED` as well, so concurrent sweeps take different rows instead of queueing up.

A worker killed after claiming leaves rows in "sending". Nothing is lost: the claim
time (`claimed_at`) is in the database, and the next sweep puts a row back in the queue
once its transport's lease has passed (`Transport.lease()`: about a minute for the HTTP
gateways, a few for SMTP; DEFAULT_LEASE for a code no longer registered), all rows in
one UPDATE. They are then sent again with the same idempotency key, which the transports
whose protocol has one pass on (TurboSMS `sequence_id`, e-mail Message-ID), so the
provider or the mail client drops the duplicate; Telegram, Viber and Twilio have none.

A short lease is safe only if a live worker never holds a row past it, so a batch starts
a send only while that send can end, and the batch's results be written, within the
shortest lease among its rows; what it cannot start goes back to the queue untouched.

Queries are constant per batch: reclaim, pick+claim, read back (with accounts),
one bulk update of the results.

Each account's rate limit is honoured while sending (`Pacer`): its own `max_per_second`,
else its provider's usual limit (`PROVIDER_RATES`: Telegram's bulk limit is about 30
messages a second, research §3.1; Viber bots and the SMS gateways take fewer), else none
(the console, SMTP). The pause before a send counts towards the batch's lease like the
send itself, so a slow channel's rows that do not fit go back to the queue untouched. A
429 from a provider is still a retry after its `retry_after`. The pacer's slots are
shared by every worker process (`messaging.pacing`: the database, or Redis in the scaled
mode), so several workers together keep the limit; a paced send costs one statement.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q

from zapys.core.crypto import DecryptionError, decrypt_json
from zapys.core.tenancy import unscoped
from zapys.messaging.models import Message, TransportAccount
from zapys.messaging.pacing import SharedPacer
from zapys.messaging.transports import (
    LEASE_MARGIN,
    TRANSPORTS,
    OutgoingMessage,
    Transport,
    TransportError,
    UnknownTransport,
    get_transport,
)

logger = logging.getLogger(__name__)

#: The lease of a row whose transport code is not registered (any more).
DEFAULT_LEASE = timedelta(minutes=10)
BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(minutes=30)
#: 1+2+4+8+16 minutes then every 30: about four hours of trying before giving up.
MAX_ATTEMPTS = 12
BATCH_SIZE = 200

#: Messages a second one account sends at most when its own `max_per_second` is 0: below
#: the providers' published limits (Telegram ~30/s for bulk, SMSClub 9 requests/s,
#: Viber's per-bot limits), so a broadcast is not answered with 429s. Codes not listed
#: (console, email) are not paced.
PROVIDER_RATES: dict[str, float] = {
    "telegram": 25.0,
    "viber": 20.0,
    "turbosms": 10.0,
    "twilio": 10.0,
}

#: Columns a delivery attempt changes (claimed_at/claim_token are cleared as well).
_RESULT_COLUMNS = (
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "provider_message_id",
    "transport_code",
    "transport_account_id",
    "sent_at",
)


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    reclaimed: int = 0
    batches: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DeliveryStats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.batches += other.batches

    def summary(self) -> str:
        return (
            f"sent {self.sent}, retry later {self.retried}, failed {self.failed}, "
            f"reclaimed {self.reclaimed}, batches {self.batches}"
        )


def rate_for(account: TransportAccount | None) -> float | None:
    """Messages a second this account may send, or None for no limit."""
    if account is None:
        return None
    if account.max_per_second:
        return float(account.max_per_second)
    return PROVIDER_RATES.get(account.code)


class Pacer:
    """When each account may send next, for one worker process (its threads share it)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.next_at: dict[int, float] = {}
        self.lock = threading.Lock()

    def delay(self, account: TransportAccount | None) -> float:
        """Seconds to wait before the next send through `account` (0: at once)."""
        if account is None or rate_for(account) is None:
            return 0.0
        with self.lock:
            return max(0.0, self.next_at.get(account.pk, 0.0) - self.clock())

    def take(self, account: TransportAccount | None) -> float:
        """Reserve the next send slot of `account`; returns how long to sleep first."""
        rate = rate_for(account)
        if account is None or rate is None:
            return 0.0
        with self.lock:
            now = self.clock()
            slot = max(now, self.next_at.get(account.pk, 0.0))
            self.next_at[account.pk] = slot + 1.0 / rate
            return slot - now


#: Shared by every worker process (the database, or Redis in the scaled mode), so several
#: workers together keep each account's rate (`messaging.pacing`). `Pacer` above is the
#: in-process one, kept for a single worker and the tests' fake clocks.
PACER: Pacer | SharedPacer = SharedPacer(rate_for)


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """Delay before the next attempt after `attempts` tries: 1, 2, 4 … 30 minutes."""
    delay = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def lease_for(transport_code: str) -> timedelta:
    cls = TRANSPORTS.get(transport_code)
    return cls.lease() if cls is not None else DEFAULT_LEASE


def _max_send_time(account: TransportAccount | None) -> timedelta:
    """The longest send through `account`; nothing is sent without a known transport."""
    cls = TRANSPORTS.get(account.code) if account is not None else None
    return cls.max_send_time() if cls is not None else timedelta(0)


def reclaim_stale(*, now: datetime, lease: timedelta | None = None) -> int:
    """Rows stuck in "sending" past their transport's lease (worker killed) go back to
    the queue: one UPDATE with a condition per distinct lease (or `lease` for all)."""
    if lease is not None:
        stale = Q(claimed_at__lt=now - lease)
    else:
        codes_by_lease: dict[timedelta, list[str]] = {}
        for code in sorted(TRANSPORTS):
            codes_by_lease.setdefault(lease_for(code), []).append(code)
        stale = Q(claimed_at__lt=now - DEFAULT_LEASE) & ~Q(transport_code__in=sorted(TRANSPORTS))
        for each, codes in codes_by_lease.items():
            stale |= Q(transport_code__in=codes, claimed_at__lt=now - each)
    with unscoped():
        return (
            Message.objects.filter(status=Message.Status.SENDING)
            .filter(stale)
            .update(status=Message.Status.QUEUED, next_attempt_at=now, claim_token="")
        )


def claim(*, now: datetime, limit: int = BATCH_SIZE, ids: Iterable[int] | None = None) -> str:
    """Move up to `limit` due queued rows to "sending"; returns the claim token."""
    token = uuid.uuid4().hex
    with unscoped(), transaction.atomic():
        due = Message.objects.filter(status=Message.Status.QUEUED).filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
        )
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        picked = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
        if not picked:
            return ""
        Message.objects.filter(pk__in=picked, status=Message.Status.QUEUED).update(
            status=Message.Status.SENDING,
            claimed_at=now,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    return token


def claimed(token: str) -> list[Message]:
    if not token:
        return []
    with unscoped():
        return list(
            Message.objects.filter(claim_token=token, status=Message.Status.SENDING)
            .select_related("transport_account")
            .order_by("id")
        )


class _Transports:
    """Transports built once per batch and account (credentials decrypted once)."""

    def __init__(self) -> None:
        self.by_account: dict[int, Transport | TransportError] = {}
        self.fallback: dict[tuple[int, str], TransportAccount | None] = {}

    def account_for(self, message: Message) -> TransportAccount | None:
        account = message.transport_account
        if account is not None and account.is_active:
            return account
        # The account was switched off or deleted since queueing: use the current one.
        key = (message.organization_id, message.channel)
        if key not in self.fallback:
            with unscoped():
                self.fallback[key] = (
                    TransportAccount.objects.filter(
                        organization_id=message.organization_id,
                        channel=message.channel,
                        is_active=True,
                    )
                    .order_by("priority", "id")
                    .first()
                )
        return self.fallback[key]

    def transport(self, account: TransportAccount) -> Transport:
        if account.pk not in self.by_account:
            try:
                self.by_account[account.pk] = get_transport(
                    account.code,
                    decrypt_json(account.credentials_encrypted),
                    base_url=account.base_url or None,
                )
            except TransportError as exc:
                self.by_account[account.pk] = exc
            except (UnknownTransport, DecryptionError) as exc:
                self.by_account[account.pk] = TransportError(str(exc), permanent=True)
        built = self.by_account[account.pk]
        if isinstance(built, TransportError):
            raise built
        return built


def delivery_key(message: Message) -> str:
    """The key a provider deduplicates by: the row's idempotency key, which is unique
    within its organization, prefixed with the organization, because two organizations
    may share one gateway account and both send "order-1" through the API."""
    return f"{message.organization_id}:{message.idempotency_key}"


def _send_one(message: Message, transports: _Transports, now: datetime) -> str:
    """Send and update the row in memory; returns "sent", "retried" or "failed"."""
    message.claim_token = ""
    message.claimed_at = None
    account = transports.account_for(message)
    try:
        if account is None:
            raise TransportError(
                f"no active transport account for {message.channel}", permanent=True
            )
        message.transport_account = account
        message.transport_code = account.code
        result = transports.transport(account).send(
            OutgoingMessage(
                channel=message.channel,  # type: ignore[arg-type]
                recipient=message.recipient,
                text=message.text,
                subject=message.subject,
                idempotency_key=delivery_key(message),
            )
        )
    except TransportError as exc:
        message.last_error = exc.message[:2000]
        message.recipient_gone = exc.recipient_gone  # type: ignore[attr-defined]
        if exc.permanent or message.attempts >= MAX_ATTEMPTS:
            message.status = Message.Status.FAILED
            message.next_attempt_at = None
            return "failed"
        message.status = Message.Status.QUEUED
        message.next_attempt_at = now + backoff(message.attempts, exc.retry_after)
        return "retried"
    except Exception as exc:
        logger.exception("transport %s crashed on message %s", message.transport_code, message.pk)
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.status = Message.Status.QUEUED
        message.next_attempt_at = now + backoff(message.attempts)
        return "retried"
    message.status = (
        Message.Status.DELIVERED if result.status == "delivered" else Message.Status.SENT
    )
    message.provider_message_id = result.provider_message_id[:200]
    message.sent_at = now
    message.next_attempt_at = None
    message.last_error = ""
    return "sent"


def _release(message: Message) -> None:
    """Hand a claimed but unattempted row back to the queue as it was."""
    message.status = Message.Status.QUEUED
    message.attempts = max(message.attempts - 1, 0)
    message.claim_token = ""
    message.claimed_at = None


def deliver_claimed(messages: list[Message], *, now: datetime) -> DeliveryStats:
    """Send claimed rows (all carrying the same claim token) and record the outcomes.

    The results are written together at the end, so they must be written before the
    lease of any row already sent runs out (another worker would send it again). A row
    is sent only if its transport's longest send still ends, with LEASE_MARGIN left for
    the write, within the shortest lease among the rows sent so far and its own;
    otherwise it goes back to the queue as it was. Rows with the longest leases go
    first, so a slow transport is not crowded out by a fast one's short lease.
    """
    token = messages[0].claim_token if messages else ""
    stats = DeliveryStats(batches=1 if messages else 0)
    transports = _Transports()
    started = time.monotonic()
    write_by: timedelta | None = None  # the shortest lease among the rows sent so far
    for message in sorted(messages, key=lambda m: (-lease_for(m.transport_code), m.pk)):
        lease = lease_for(message.transport_code)  # the one the sweep will apply
        deadline = lease if write_by is None else min(write_by, lease)
        account = transports.account_for(message)
        longest = _max_send_time(account) + timedelta(seconds=PACER.delay(account))
        if timedelta(seconds=time.monotonic() - started) + longest > deadline - LEASE_MARGIN:
            _release(message)
            continue
        write_by = deadline
        wait = PACER.take(account)
        if wait > 0:
            time.sleep(wait)
        outcome = _send_one(message, transports, now)
        setattr(stats, outcome, getattr(stats, outcome) + 1)
    _save_results(messages, token)
    gone = [m for m in messages if getattr(m, "recipient_gone", False)]
    if gone:
        # Function-local: messaging.services imports the send path, which imports this.
        from zapys.messaging.services.messengers import messengers_gone

        messengers_gone(gone, now=now)
    return stats


def _save_results(messages: list[Message], token: str) -> None:
    """Write every row's outcome with one parameterised statement (executemany).

    `bulk_update` builds a CASE per column and row, which costs more than the sending
    itself at a few hundred rows. The `claim_token` condition makes a slow worker whose
    lease expired (and whose rows another worker has reclaimed) leave them alone.
    """
    if not messages:
        return
    ops = connection.ops
    qn = ops.quote_name
    assignments = ", ".join(f"{qn(column)} = %s" for column in _RESULT_COLUMNS)
    # Only quoted identifiers from the model are interpolated; values are parameters.
    sql = (
        f"UPDATE {qn(Message._meta.db_table)} SET {assignments}, "  # noqa: S608
        f"{qn('claimed_at')} = NULL, {qn('claim_token')} = '' "
        f"WHERE {qn('id')} = %s AND {qn('claim_token')} = %s"
    )
    rows = [
        (
            m.status,
            m.attempts,
            ops.adapt_datetimefield_value(m.next_attempt_at),
            m.last_error,
            m.provider_message_id,
            m.transport_code,
            m.transport_account_id,
            ops.adapt_datetimefield_value(m.sent_at),
            m.pk,
            token,
        )
        for m in messages
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def deliver_due(
    *, now: datetime, batch_size: int = BATCH_SIZE, max_batches: int | None = None
) -> DeliveryStats:
    """The sweep: reclaim stale rows, then deliver due rows batch by batch.

    `now` may be a chosen moment (`tick --now`); each batch is claimed at it plus the
    real time the sweep has run, so a later batch's lease starts when it was claimed.
    """
    stats = DeliveryStats(reclaimed=reclaim_stale(now=now))
    started = time.monotonic()
    while max_batches is None or stats.batches < max_batches:
        batch_now = now + timedelta(seconds=time.monotonic() - started)
        batch = claimed(claim(now=batch_now, limit=batch_size))
        if not batch:
            break
        stats.add(deliver_claimed(batch, now=batch_now))
    return stats


def deliver_one(message_id: int, *, now: datetime) -> DeliveryStats:
    """Deliver one message right after its transaction committed (the fast path)."""
    return deliver_claimed(claimed(claim(now=now, limit=1, ids=[message_id])), now=now)
