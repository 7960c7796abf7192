"""Cross-cutting models: the audit log and the scheduler's job state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zapys.core.recurrence import Frequency as RuleFrequency
from zapys.core.recurrence import Recurrence
from zapys.core.tenancy import OrgOwned


class AuditLog(OrgOwned):
    """One row per write made through a service: who, what, on which object, before/after.

    Rows are only ever inserted (the services never update or delete them).
    """

    class ActorKind(models.TextChoices):
        STAFF = "staff", _("Staff member")
        API_KEY = "api_key", _("API key")
        CLIENT_LINK = "client_link", _("Client via link")
        PROVIDER = "provider", _("Payment provider")
        SCHEDULER = "scheduler", _("Scheduler")
        SYSTEM = "system", _("System")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id"]),
            # The audit page of one organization, newest first: without it PostgreSQL walked
            # every other organization's newer rows (12 s at 2.9 M rows; docs/scaling.md).
            models.Index(fields=["organization", "created_at"], name="core_audit_org_time"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )


class JobState(models.Model):
    """When each periodic job last ran; `tick` uses it to decide what is due."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class CalendarSchedule(OrgOwned):
    """When a piece of an organization's work runs next on the calendar ("monthly on the 1st
    at 09:00" for an automatic invoicing rule, "weekly on Monday" for a report e-mail).

    The rule is kept as its parts (see `core.recurrence.Recurrence`); `next_run_at` is the one
    column the scheduler reads, and moving it forward with a conditional UPDATE is how a run is
    claimed (`core.calendar_work`). `work` names a handler registered with `@calendar_work`;
    `subject_id` is the id of the app's own object the work is about (the rule, the broadcast).
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    work = models.CharField(max_length=100)
    subject_id = models.PositiveBigIntegerField()
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    time_of_day = models.TimeField(_("time"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    #: Empty while paused.
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.TextField(blank=True)

    class Meta:
        verbose_name = _("calendar schedule")
        verbose_name_plural = _("calendar schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "work", "subject_id"],
                name="calendar_schedule_one_per_subject",
            )
        ]
        indexes = [models.Index(fields=["next_run_at"], name="calendar_schedule_due")]

    @property
    def recurrence(self) -> Recurrence:
        return Recurrence(
            frequency=RuleFrequency(self.frequency),
            at=self.time_of_day,
            weekday=self.weekday,
            day_of_month=self.day_of_month,
        )

    def __str__(self) -> str:
        return self.recurrence.describe()


class TokenMiss(models.Model):
    """Lookups of unknown tokens on public pages, per client address and minute.

    In the database so the limit holds across web processes (`core.ratelimit`); not
    OrgOwned: a miss belongs to no organization. Rows older than a few minutes are
    trimmed as new minutes start.
    """

    client = models.CharField(max_length=64)  # an address, or an IPv6 /64
    minute = models.BigIntegerField()  # Unix time // 60
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "minute"], name="core_tokenmiss_one_per_minute"
            )
        ]
        indexes = [models.Index(fields=["minute"], name="core_tokenmiss_minute")]

    def __str__(self) -> str:
        return f"{self.client} {self.minute}: {self.misses}"
