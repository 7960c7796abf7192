"""Deadline sweeps: reminders, expiries and auto-cancellations (B4, X2).

Deadlines are columns (`remind_at`, `expires_at`, `auto_cancel_at`), so a worker that
was down for an hour catches up on its next run: every due row is handled once, oldest
deadline first. Each batch costs a constant number of queries per organization in it:
claim (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE transaction
already serialises writers) → one conditional UPDATE of the bookings → one UPDATE of
the visits' clock → bulk audit rows → bulk outbox rows (delivered by the messaging
outbox sweep) → one staff notification per organization.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop, override

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Group, LessonType, Service, Subject
from zapys.core.audit import Actor, audit_record_many
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging.services import Outgoing, message_send_many, staff_notify
from zapys.prepayments import events
from zapys.prepayments.models import Booking, PrepaymentSettings
from zapys.prepayments.selectors import message_variables
from zapys.prepayments.services import cancel_status_for
from zapys.prepayments.texts import visit_named
from zapys.schedule.bulk import visits_booking_state_set_many, visits_cancel_many

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
S = Booking.Status
ACTOR = Actor.scheduler("prepayments.sweep")


@dataclass
class SweepResult:
    reminded: int = 0
    expired: int = 0
    cancelled: int = 0
    messages: int = 0

    def summary(self) -> str:
        return (
            f"reminded {self.reminded}, expired {self.expired}, "
            f"auto-cancelled {self.cancelled}, messages {self.messages}"
        )


def _claim(qs: Any, order: str) -> list[int]:
    """Ids of the next due batch, oldest deadline first, locked for this transaction.

    Only ids: the conditional UPDATE that follows is what moves them, and the columns
    the messages need are read once afterwards (`_load`)."""
    qs = qs.order_by(order, "id")
    if connection.vendor == "postgresql":
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs.values_list("id", flat=True)[:BATCH_SIZE])


# What the messages and the staff notification read of a booking, its client and its
# visit; the sweep loads thousands of bookings per tick, so not a column more.
_MESSAGE_FIELDS = (
    "organization_id",
    "client_id",
    "visit_id",
    "amount",
    "currency",
    "status",
    "token",
    "channel",
    "terms_snapshot",
    "client__organization_id",
    "client__name",
    # what a message may greet or link the client by (`Client.greeting_name`, its Ukrainian
    # `greeting_vocative`, `{cabinet_url}`)
    "client__first_name",
    "client__first_name_vocative",
    "client__client_type",
    "client__cabinet_token",
    "client__phone",
    "client__email",
    "client__deleted_at",
    "visit__kind",
    "visit__starts_at",
    "visit__branch_id",
    "visit__staff_id",
    "visit__service_id",
    "visit__group_id",
    "visit__subject_id",
    "visit__lesson_type_id",
)


def _load(ids: list[int]) -> list[Booking]:
    """The claimed bookings with what their messages need.

    A batch of 500 bookings has a handful of organizations, specialists, branches and
    services: each is read once per batch and attached, instead of joined (and built as
    an object) once per booking."""

    rows = list(
        Booking.objects.filter(pk__in=ids)
        .select_related("client", "visit")
        .only(*_MESSAGE_FIELDS)
        .order_by("id")
    )
    visits = [b.visit for b in rows]
    related: list[tuple[str, Any, tuple[str, ...]]] = [
        ("staff", User, ("first_name", "last_name", "username")),
        ("branch", Branch, ("name",)),
        ("service", Service, ("name",)),
        ("group", Group, ("name",)),
        ("subject", Subject, ("name",)),
        ("lesson_type", LessonType, ("name",)),
    ]
    for name, model, fields in related:
        wanted = {getattr(v, f"{name}_id") for v in visits} - {None}
        found = model._base_manager.only(*fields).in_bulk(wanted) if wanted else {}
        for visit in visits:
            key = getattr(visit, f"{name}_id")
            if key is not None:
                setattr(visit, name, found[key])
    orgs = Organization.objects.in_bulk({b.organization_id for b in rows})
    for b in rows:
        b.organization = orgs[b.organization_id]
    return rows


def _audit_bulk(ids: list[int], action: str, changes: dict[str, Any]) -> None:
    audit_record_many(model=Booking, ids=ids, actor=ACTOR, action=action, changes=changes)


def _settings_for(org_ids: Iterable[int]) -> dict[int, PrepaymentSettings]:
    return {
        s.organization_id: s
        for s in PrepaymentSettings.objects.filter(organization_id__in=set(org_ids)).select_related(
            "cancel_status"
        )
    }


def queue_messages(
    *, organization: Any, event: str, suffix: str, bookings: list[Booking], now: datetime
) -> int:
    """The outbox rows for many bookings at once, keyed like the single sends
    (`booking:<id>:<suffix>`), so a booking is never told the same thing twice."""
    return message_send_many(
        organization=organization,
        event=event,
        messages=[
            Outgoing(
                client=b.client,
                variables=message_variables(b),
                idempotency_key=f"booking:{b.pk}:{suffix}",
                related=b,
                channel=b.channel,
            )
            for b in bookings
        ],
        now=now,
    )


def _by_org(rows: list[Booking]) -> dict[int, list[Booking]]:
    grouped: dict[int, list[Booking]] = defaultdict(list)
    for b in rows:
        grouped[b.organization_id].append(b)
    return grouped


def _staff_notify(org: Any, title: StoredText, rows: list[Booking]) -> None:

    # Each booking by its client and visit, «Шевчук Марія (Манікюр, 7 грудня о 10:45)»:
    # stored, not rendered, so each reader sees the date in their language (`_load` read
    # the visits' services and groups for the whole batch).
    named = [
        StoredText(
            gettext_noop("%(name)s (%(visit)s)"),
            name=b.client.name,
            visit=visit_named(b.visit, org),
        )
        for b in rows[:20]
    ]
    body = StoredText(
        gettext_noop("Bookings: %(bookings)s …")
        if len(rows) > 20
        else gettext_noop("Bookings: %(bookings)s"),
        bookings=named,
    )
    staff_notify(organization=org, title=title, body=body, related=rows[0], url="", level="warning")


def remind_batch(now: datetime) -> tuple[int, int]:
    with transaction.atomic():
        ids = _claim(
            Booking.objects.filter(
                status=S.PENDING, remind_at__lte=now, reminded_at__isnull=True, expires_at__gt=now
            ),
            "remind_at",
        )
        if not ids:
            return 0, 0
        Booking.objects.filter(pk__in=ids, status=S.PENDING, reminded_at__isnull=True).update(
            reminded_at=now
        )
        rows = _load(ids)
        _audit_bulk(ids, "booking.reminded", {})
        sent = 0
        settings = _settings_for(b.organization_id for b in rows)
        for org_id, group in _by_org(rows).items():
            org = group[0].organization
            s = settings.get(org_id)
            if s is None or not s.send_reminder:
                continue
            with org_scope(org), override(org.language or "uk"):
                sent += queue_messages(
                    organization=org,
                    event=events.REMINDER,
                    suffix="reminder",
                    bookings=group,
                    now=now,
                )
    return len(rows), sent


def expire_batch(now: datetime) -> tuple[int, int]:
    """Pending bookings past `expires_at` → expired; the red clock; staff and client told."""
    with transaction.atomic():
        ids = _claim(Booking.objects.filter(status=S.PENDING, expires_at__lte=now), "expires_at")
        if not ids:
            return 0, 0
        moved = Booking.objects.filter(pk__in=ids, status=S.PENDING).update(
            status=S.EXPIRED, expired_at=now
        )
        if moved != len(ids):  # pragma: no cover - rows are locked/serialised
            raise RuntimeError("prepayments: expiry batch lost rows it had claimed")
        rows = _load(ids)
        visits_booking_state_set_many(
            visit_ids=[b.visit_id for b in rows], state="expired", actor=ACTOR
        )
        _audit_bulk(ids, "booking.expired", {"status": [S.PENDING, S.EXPIRED]})
        sent = 0
        settings = _settings_for(b.organization_id for b in rows)
        for org_id, group in _by_org(rows).items():
            org = group[0].organization
            s = settings.get(org_id)
            with org_scope(org), override(org.language or "uk"):
                if s is not None and s.send_expired:
                    sent += queue_messages(
                        organization=org,
                        event=events.LINK_EXPIRED,
                        suffix="expired",
                        bookings=group,
                        now=now,
                    )
                _staff_notify(
                    org,
                    StoredText.counted(
                        "Prepayment not received in time: %(n)s booking",
                        "Prepayment not received in time: %(n)s bookings",
                        len(group),
                    ),
                    group,
                )
    return len(rows), sent


def cancel_batch(now: datetime) -> tuple[int, int]:
    """Expired bookings past `auto_cancel_at` → cancelled; their visits move to the
    cancellation status (and leave the calendar); the client is told."""
    with transaction.atomic():
        # Before the visit's start, never after (V3): a visit whose time has come is the
        # staff's to decide (the client may be in the chair).
        ids = _claim(
            Booking.objects.filter(
                status=S.EXPIRED, auto_cancel_at__lte=now, visit__starts_at__gt=now
            ),
            "auto_cancel_at",
        )
        if not ids:
            return 0, 0
        moved = Booking.objects.filter(pk__in=ids, status=S.EXPIRED).update(
            status=S.CANCELLED, cancelled_at=now, cancelled_by=Booking.CancelledBy.AUTO
        )
        if moved != len(ids):  # pragma: no cover
            raise RuntimeError("prepayments: cancel batch lost rows it had claimed")
        rows = _load(ids)
        _audit_bulk(ids, "booking.auto_cancelled", {"status": [S.EXPIRED, S.CANCELLED]})
        settings = _settings_for(b.organization_id for b in rows)
        sent = 0
        for org_id, group in _by_org(rows).items():
            org = group[0].organization
            with org_scope(org), override(org.language or "uk"):
                s = settings.get(org_id) or PrepaymentSettings(organization=org)
                status = cancel_status_for(org, s)
                visits_cancel_many(
                    visit_ids=[b.visit_id for b in group], status=status, actor=ACTOR, now=now
                )
                if s.send_cancelled:
                    sent += queue_messages(
                        organization=org,
                        event=events.VISIT_CANCELLED,
                        suffix="cancelled",
                        bookings=group,
                        now=now,
                    )
                _staff_notify(
                    org,
                    StoredText(
                        gettext_noop("Visits cancelled: prepayment not received (%(n)s)"),
                        n=len(group),
                    ),
                    group,
                )
    return len(rows), sent


def sweep(now: datetime | None = None, *, max_batches: int = 1000) -> SweepResult:
    """Everything due at `now`, oldest deadline first: reminders, expiries, cancellations."""
    now = now or timezone.now()
    result = SweepResult()
    with unscoped():
        for step, attr in (
            (remind_batch, "reminded"),
            (expire_batch, "expired"),
            (cancel_batch, "cancelled"),
        ):
            for _i in range(max_batches):
                count, sent = step(now)
                setattr(result, attr, getattr(result, attr) + count)
                result.messages += sent
                if count < BATCH_SIZE:
                    break
    return result
