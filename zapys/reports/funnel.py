"""The payment-link funnel (X9): of the links made in a period, how many were sent,
delivered, opened and paid, how long paying took, by channel, by hour of sending and by
what the link was for — and how many bookings (any purpose) expired unpaid.

A link is a payment's first attempt (`retry_of` empty); a retry ("Try again") belongs to it,
so a link paid on the second card counts as paid once. Its message is the first one the
outbox holds about the link's object (the booking, the invoice: `related_type/id` =
`purpose_type/id`); a link with none (a top-up link staff handed over, a purchase in the
shop) has no channel and no sent/delivered stage. Sent is when the message was queued or the
link made, whichever came first; opened is when its page was first opened
(`Payment.opened_at`, set by the public payment pages). A message the test mode "sent" reached
no one (`messaging.models.message_outcome`): it is counted apart, `test_mode`, never as sent
or delivered — the single message's badge says "Test mode: not sent" too.

Two queries whatever the number of links: the links with their retry, and the outbox's
messages about their objects (a semi-join, the outbox's `(organization, related_type,
related_id)` index) — labels come from code. Percentiles are computed in Python over the paid
links' durations (PostgreSQL's `percentile_cont` has no SQLite twin; a month of one
organization's links is thousands of rows, not millions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.core.durations import duration_words
from zapys.core.money import share_percent
from zapys.core.report_period import Period
from zapys.messaging.models import TEST_MODE_OUTCOME, Channel, Message, message_outcome
from zapys.payments.models import Payment
from zapys.payments.purposes import purpose_label

PAID = (
    Payment.Status.SUCCEEDED,
    Payment.Status.REFUNDED,
    Payment.Status.PARTIALLY_REFUNDED,
)
# Plain strings: an enum member's lookup on every link is measurable at 40,000 links.
SENT = (Message.Status.SENT.value, Message.Status.DELIVERED.value)
DELIVERED = Message.Status.DELIVERED.value
NO_CHANNEL = ""


@dataclass
class Stage:
    """The counts of one group of links (a channel, an hour, a purpose, or all)."""

    key: Any
    label: str = ""
    links: int = 0
    messaged: int = 0
    sent: int = 0
    delivered: int = 0
    test_mode: int = 0
    opened: int = 0
    paid: int = 0
    expired: int = 0
    seconds: list[int] = field(default_factory=list)

    def add(self, link: dict) -> None:
        self.links += 1
        if link["channel"]:
            self.messaged += 1
            outcome = link["message_status"]
            self.sent += outcome in SENT
            self.delivered += outcome == DELIVERED
            self.test_mode += outcome == TEST_MODE_OUTCOME
        self.opened += link["opened"]
        if link["seconds"] is not None:
            self.paid += 1
            self.seconds.append(link["seconds"])
        elif link["expired"]:
            self.expired += 1

    def share(self, count: int) -> int | None:
        return share_percent(count, self.links) if self.links else None

    @property
    def paid_share(self) -> int | None:
        return self.share(self.paid)

    @property
    def sent_share(self) -> int | None:
        return self.share(self.sent)

    @property
    def unsent(self) -> int:
        """Links whose message was queued but never went out (failed, still waiting); the
        test mode's are counted apart (`test_mode`)."""
        return self.messaged - self.sent - self.test_mode

    @property
    def opened_share(self) -> int | None:
        return self.share(self.opened)

    @property
    def expired_share(self) -> int | None:
        return self.share(self.expired)

    @property
    def delivered_share(self) -> int | None:
        """Of the messages a real transport was given (the test mode's reached no one)."""
        real = self.messaged - self.test_mode
        return share_percent(self.delivered, real) if real else None

    def percentile(self, rank: int) -> int | None:
        """Seconds from sending to paying within which `rank`% of the paid links were paid
        (nearest rank)."""
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        index = max(0, -(-rank * len(ordered) // 100) - 1)
        return ordered[index]

    @property
    def p50(self) -> str:
        return duration_text(self.percentile(50))

    @property
    def p75(self) -> str:
        return duration_text(self.percentile(75))

    @property
    def p90(self) -> str:
        return duration_text(self.percentile(90))


@dataclass
class Funnel:
    total: Stage
    by_channel: list[Stage]
    by_hour: list[Stage]
    by_purpose: list[Stage]


def duration_text(seconds: int | None) -> str:
    """ "2 d 3 h", "1 h 5 min", "3 h", "7 min" — readable, never a number of seconds."""
    if seconds is None:
        return "—"
    minutes = seconds // 60
    if not minutes:
        # paid within the minute it was sent: "0 min" read as if nothing had been measured
        return _("under 1 min")
    if minutes < 24 * 60:
        return duration_words(minutes)  # «45 хв», «2 год», «1 год 5 хв», as everywhere
    days, hours = divmod(minutes // 60, 24)
    return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}


def first_messages(start: datetime, end: datetime) -> dict[tuple[str, str], tuple]:
    """One query: the outbox's messages about the objects of the period's links (a
    semi-join on the payments), the first one kept per object, its status as it counts
    (`message_outcome`: what the test mode "sent" is `TEST_MODE_OUTCOME`). Set-based on purpose: one
    correlated subquery per link and column made PostgreSQL run 3 × 40,000 index lookups
    and compile them (JIT) — seconds for a month of a busy organization (bench/reports.py).
    """
    linked = Payment.objects.filter(
        retry_of__isnull=True,
        created_at__gte=start,
        created_at__lt=end,
        purpose_type=OuterRef("related_type"),
        purpose_id=OuterRef("related_id"),
    )
    rows = (
        Message.objects.filter(Exists(linked))
        .order_by("related_type", "related_id", "created_at", "id")
        .values_list(
            "related_type", "related_id", "channel", "status", "transport_code", "created_at"
        )
    )
    first: dict[tuple[str, str], tuple] = {}
    for related_type, related_id, channel, status, transport_code, created_at in rows:
        key = (related_type, related_id)
        if key not in first:
            # the test mode's "delivered" is its own outcome, never counted as delivered
            first[key] = (channel, message_outcome(status, transport_code), created_at)
    return first


def links(period: Period) -> list[dict]:
    """Two queries: the period's links with their retry, already reduced by the database to
    what the funnel counts (when paid, whether opened, how it ended), and their first
    messages (`first_messages`)."""
    start, end = period.bounds()
    paid_here = Case(When(status__in=PAID, then=F("paid_at")))
    rows = (
        Payment.objects.filter(retry_of__isnull=True, created_at__gte=start, created_at__lt=end)
        .annotate(
            # The first of the two moments; Least() alone is NULL on SQLite if either is.
            paid=Least(
                Coalesce(paid_here, "retried_by__paid_at"),
                Coalesce("retried_by__paid_at", paid_here),
            ),
            opened=ExpressionWrapper(
                Q(opened_at__isnull=False) | Q(retried_by__opened_at__isnull=False),
                output_field=BooleanField(),
            ),
            last_status=Coalesce("retried_by__status", "status"),
        )
        .values_list(
            "purpose", "purpose_type", "purpose_id", "created_at", "paid", "opened", "last_status"
        )
        .order_by()
    )
    messages = first_messages(start, end)
    zone = timezone.get_current_timezone()
    ended = {Payment.Status.EXPIRED.value, Payment.Status.FAILED.value}
    no_message = (NO_CHANNEL, None, None)
    out = []
    for purpose, purpose_type, purpose_id, made_at, paid, opened, last_status in rows:
        channel, status, message_at = messages.get((purpose_type, purpose_id), no_message)
        # Sent is when the message was queued or the link made, whichever came first.
        sent_at = message_at if message_at is not None and message_at < made_at else made_at
        out.append(
            {
                "purpose": purpose,
                "channel": channel or NO_CHANNEL,
                "message_status": status,
                "hour": sent_at.astimezone(zone).hour,
                # Paying needs the page: a paid link was opened, even when its open was
                # not recorded (paid before `opened_at` existed, or from a staff session,
                # whose opens are not counted) — a funnel never has more paid than opened.
                "opened": bool(opened) or paid is not None,
                "seconds": (
                    None if paid is None else max(0, int((paid - sent_at).total_seconds()))
                ),
                "expired": last_status in ended,
            }
        )
    return out


def funnel_of(rows: list[dict]) -> Funnel:
    """Count the links into the total and by channel, hour and purpose; a group's stage (and
    its label) is made once per group, not once per link."""
    total = Stage("total", _("All links"))
    channels: dict[str, Stage] = {}
    hours: dict[int, Stage] = {}
    purposes: dict[str, Stage] = {}
    for link in rows:
        total.add(link)
        for stages, key in (
            (channels, link["channel"]),
            (hours, link["hour"]),
            (purposes, link["purpose"]),
        ):
            stage = stages.get(key)
            if stage is None:
                stage = stages[key] = Stage(key)
            stage.add(link)
    channel_labels = dict(Channel.choices)
    for key, stage in channels.items():
        stage.label = str(channel_labels.get(key, key)) if key else _("No message")
    for hour, stage in hours.items():
        stage.label = f"{hour:02d}:00–{hour:02d}:59"
    for key, stage in purposes.items():
        stage.label = purpose_label(key)
    return Funnel(
        total=total,
        by_channel=sorted(channels.values(), key=lambda s: (-s.links, s.label)),
        by_hour=[hours[h] for h in sorted(hours)],
        by_purpose=sorted(purposes.values(), key=lambda s: (-s.links, s.label)),
    )


def funnel_for(period: Period) -> Funnel:
    return funnel_of(links(period))


EXPORT_COLUMNS = [
    gettext_lazy("Group"),
    gettext_lazy("Name"),
    gettext_lazy("Links"),
    gettext_lazy("Sent"),
    gettext_lazy("Delivered"),
    gettext_lazy("Test mode, not sent"),
    gettext_lazy("Opened"),
    gettext_lazy("Paid"),
    gettext_lazy("Expired unpaid"),
    gettext_lazy("Paid, %"),
    gettext_lazy("Paid within (median)"),
    gettext_lazy("Paid within (75%)"),
    gettext_lazy("Paid within (90%)"),
]
#: Where "Test mode, not sent" is in a row: left out when nothing went through the test mode.
TEST_MODE_AT = 5


def export_rows(funnel: Funnel) -> tuple[list, list[list[Any]]]:
    groups = (
        (_("Total"), [funnel.total]),
        (_("Channel"), funnel.by_channel),
        (_("Hour sent"), funnel.by_hour),
        (_("Purpose"), funnel.by_purpose),
    )
    rows = [
        [group, stage.label, stage.links, stage.sent, stage.delivered, stage.test_mode,
         stage.opened, stage.paid, stage.expired,
         stage.paid_share if stage.paid_share is not None else "",
         stage.p50, stage.p75, stage.p90]
        for group, stages in groups
        for stage in stages
    ]  # fmt: skip
    if funnel.total.test_mode:
        return EXPORT_COLUMNS, rows
    # An organization that never used the test mode gets no column of zeros about it.
    at = TEST_MODE_AT
    return EXPORT_COLUMNS[:at] + EXPORT_COLUMNS[at + 1 :], [
        row[:at] + row[at + 1 :] for row in rows
    ]
