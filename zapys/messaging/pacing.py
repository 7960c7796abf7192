"""The per-account sending rate, shared by every worker process (M5: "each channel's rate
limits honoured" with several workers).

`outbox.Pacer` kept the next free slot of each account in the worker's memory, so two
worker processes together sent twice the rate. `SharedPacer` keeps it in a store every
worker sees, and reserves a slot with one atomic operation:

- Redis, when the scaled mode runs Huey on Redis (`HUEY_URL=redis://…`, settings.py): a
  Lua script (GET, max with now, SET + interval) — atomic on the server;
- else the database: one upsert `INSERT … ON CONFLICT (account) DO UPDATE SET next_at =
  max(next_at, now) + interval RETURNING next_at` on `messaging_pacerslot` — atomic on
  PostgreSQL (row lock) and SQLite (one writer).

A paced send (Telegram, Viber, the SMS gateways) costs that one statement; unpaced ones
(the console, e-mail) none. The clock is the wall clock (`time.time`), which the
workers' hosts share (NTP), unlike `time.monotonic`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.db import connection

from zapys.messaging.models import PacerSlot, TransportAccount


class SlotStore(Protocol):
    def reserve(self, account_id: int, now: float, interval: float) -> float:
        """Reserve the next slot at or after `now`; returns the slot's time."""

    def peek(self, account_id: int) -> float:
        """When the next slot is free (0 when never used)."""


class DatabaseSlots:
    def reserve(self, account_id: int, now: float, interval: float) -> float:
        qn = connection.ops.quote_name
        table = qn(PacerSlot._meta.db_table)
        column = f"{table}.{qn('next_at')}"
        # Only quoted identifiers are interpolated; values are parameters.
        sql = (
            f"INSERT INTO {table} ({qn('account_id')}, {qn('next_at')}) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT ({qn('account_id')}) DO UPDATE SET {qn('next_at')} = "
            f"CASE WHEN {column} > %s THEN {column} ELSE %s END + %s "
            f"RETURNING {qn('next_at')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [account_id, now + interval, now, now, interval])
            (next_at,) = cursor.fetchone()
        return float(next_at) - interval

    def peek(self, account_id: int) -> float:
        row = PacerSlot.objects.filter(account_id=account_id).values_list("next_at", flat=True)
        return float(row.first() or 0.0)


_RESERVE_LUA = """
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local slot = math.max(next_at, now)
redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[2])), 'EX', 3600)
return tostring(slot)
"""


class RedisSlots:
    def __init__(self, url: str) -> None:
        import redis  # the scaled mode's dependency (Huey on Redis)

        self.client = redis.Redis.from_url(url)
        self.script = self.client.register_script(_RESERVE_LUA)

    @staticmethod
    def key(account_id: int) -> str:
        return f"zapys:pacer:{account_id}"

    def reserve(self, account_id: int, now: float, interval: float) -> float:
        return float(self.script(keys=[self.key(account_id)], args=[now, interval]))

    def peek(self, account_id: int) -> float:
        value = self.client.get(self.key(account_id))
        return float(value) if value else 0.0


def default_store() -> SlotStore:
    """Redis when Huey runs on Redis (the scaled mode), else the database."""
    url = str(getattr(settings, "HUEY_URL", "") or "")
    if url.startswith(("redis://", "rediss://")):
        return RedisSlots(url)
    return DatabaseSlots()


class SharedPacer:
    """`outbox.Pacer`'s interface over a shared store: `delay` and `take`."""

    def __init__(
        self,
        rate_for: Callable[[TransportAccount | None], float | None],
        store: SlotStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rate_for = rate_for
        self.clock = clock
        self._store = store
        self._lock = threading.Lock()

    @property
    def store(self) -> SlotStore:
        with self._lock:  # built on first use: settings are read at run time
            if self._store is None:
                self._store = default_store()
            return self._store

    def delay(self, account: TransportAccount | None) -> float:
        if account is None or self.rate_for(account) is None:
            return 0.0
        return max(0.0, self.store.peek(account.pk) - self.clock())

    def take(self, account: TransportAccount | None) -> float:
        rate = self.rate_for(account)
        if account is None or rate is None:
            return 0.0
        now = self.clock()
        return max(0.0, self.store.reserve(account.pk, now, 1.0 / rate) - now)
