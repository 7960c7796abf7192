"""Schedule (S2–S6): staff working hours, visit statuses, visits and group lessons,
per-client attendance, online booking throttling.

A *visit* is one block of a specialist's time: an individual appointment (one client, a
service) or a group lesson (a group/subject, a room, a capacity, many participants). Every
client on a visit has an `Attendance` row, so an individual visit and a lesson are marked,
charged and undone the same way.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.core.fields import MoneyField
from zapys.core.system_names import shown_name
from zapys.core.tenancy import OrgOwned


class ScheduleSettings(OrgOwned):
    """Per-organization schedule settings (one row, created on first use)."""

    buffer_minutes = models.PositiveIntegerField(
        _("buffer between visits, minutes"),
        default=0,
        help_text=_("Free time kept after every visit when online slots are offered."),
    )
    slot_step_minutes = models.PositiveIntegerField(
        _("slot step, minutes"), default=15, help_text=_("Online slots start every N minutes.")
    )
    charge_without_membership = models.BooleanField(
        _("charge the service price when the client has no membership"),
        default=True,
        help_text=_(
            "When a visit is marked attended and no active membership covers it, "
            "the service price is charged to the client's balance."
        ),
    )
    online_booking_enabled = models.BooleanField(_("online booking enabled"), default=True)
    online_min_lead_minutes = models.PositiveIntegerField(
        _("online booking: minimum notice, minutes"), default=60
    )
    online_days_ahead = models.PositiveIntegerField(_("online booking: days ahead"), default=30)
    online_rate_limit_per_minute = models.PositiveIntegerField(
        _("online bookings per minute from one IP address"), default=10
    )

    class Meta:
        verbose_name = _("schedule settings")
        verbose_name_plural = _("schedule settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="schedule_settings_one_per_org")
        ]

    def __str__(self) -> str:
        return f"Schedule settings #{self.organization_id}"


class VisitStatus(OrgOwned):
    """A status a visit can be in. Organizations edit theirs; `is_system` ones (e.g. the
    prepayment's "cancelled: booking unpaid") only the system may set."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    color = models.CharField(_("colour"), max_length=7, default="#0d6efd")
    order = models.PositiveIntegerField(_("order"), default=0)
    counts_as_came = models.BooleanField(_("counts as attended"), default=False)
    is_cancellation = models.BooleanField(
        _("cancels the visit"), default=False, help_text=_("The time becomes free again.")
    )
    is_no_show = models.BooleanField(_("no-show"), default=False)
    hidden_in_calendar = models.BooleanField(_("hidden in the calendar"), default=False)
    is_system = models.BooleanField(_("system status"), default=False, editable=False)
    is_default = models.BooleanField(_("default for new visits"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit status")
        verbose_name_plural = _("visit statuses")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="schedule_visitstatus_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the page's language while the organization has not renamed a
        default status (`core.system_names`); the organization's own name otherwise."""
        from zapys.schedule.services.statuses import DEFAULT_STATUS_NAMES, FORMER_STATUS_NAMES

        return shown_name(
            self.name,
            DEFAULT_STATUS_NAMES.get(self.code),
            FORMER_STATUS_NAMES.get(self.code, ()),
        )

    @property
    def action_label(self) -> str:
        """What a button that sets this status says: a verb («Підтвердити»), not the state
        the badge says («Підтверджено») — `schedule.actions`."""
        from zapys.schedule.actions import status_action

        return status_action(self)


class WorkingHours(OrgOwned):
    """A weekly interval a specialist works in a branch (several per day are allowed)."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"))  # 0 = Monday
    start = models.TimeField(_("from"))
    end = models.TimeField(pgettext_lazy("time", "to"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["staff_id", "branch_id", "weekday", "start"]
        indexes = [models.Index(fields=["organization", "staff", "branch"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="schedule_hours_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="schedule_hours_weekday_0_6"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.weekday} {self.start}-{self.end}"


class HoursException(OrgOwned):
    """A date that differs from the week: a day off, or extra hours."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        EXTRA = "extra", _("Extra hours")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hours_exceptions"
    )
    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.CASCADE, related_name="hours_exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.TimeField(_("from"), null=True, blank=True)
    end = models.TimeField(pgettext_lazy("time", "to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("day off or changed hours")
        verbose_name_plural = _("days off and changed hours")
        ordering = ["date", "start", "id"]
        indexes = [models.Index(fields=["organization", "staff", "date"])]

    def __str__(self) -> str:
        # «Вихідний 14 грудня 2026 · Коваль Ірина», «Додаткові години 15 грудня 2026,
        # 10:00–14:00 · …»: the audit log read "3 2026-12-14 day_off" (the specialist's id,
        # an ISO date, the kind's key). The year always: the log is read long after. No
        # `str_related`: a removed day off is named by the text stored when it was written.
        text = f"{self.get_kind_display()} {formats.date_format(self.date, 'j E Y')}"
        if self.kind == self.Kind.EXTRA and self.start and self.end:
            text += f", {self.start:%H:%M}–{self.end:%H:%M}"
        return f"{text} · {self.staff}"


class LessonSeries(OrgOwned):
    """A weekly pattern that generated lessons (kept so the series can be named and ended)."""

    weekdays = models.JSONField(_("weekdays"), default=list)
    starts_on = models.DateField(_("from"))
    until = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson series")
        verbose_name_plural = _("lesson series")

    def __str__(self) -> str:
        return f"Series {self.pk} {self.starts_on}–{self.until}"


class Visit(OrgOwned):
    """A block of a specialist's time: an appointment or a group lesson."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Appointment")
        LESSON = "lesson", _("Group class")  # the word the calendar's button says

    class Source(models.TextChoices):
        STAFF = "staff", _("Staff")
        API = "api", _("API")
        ONLINE = "online", _("Online booking")

    class BookingState(models.TextChoices):
        """Display hook for the paid booking (prepayment app): the clock in the calendar."""

        NONE = "", _("No booking")
        PENDING = "pending", _("Awaiting prepayment")
        PAID = "paid", _("Prepaid")
        EXPIRED = "expired", _("Prepayment expired")
        #: Too little time to pay online: staff chose to take the payment at the desk.
        AT_DESK = "at_desk", _("To be paid at the desk")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="visits")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("specialist"),
    )
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("client"),
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    group = models.ForeignKey(
        "catalog.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    subject = models.ForeignKey(
        "catalog.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons"
    )
    lesson_type = models.ForeignKey(
        "catalog.LessonType",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
    )
    room = models.ForeignKey(
        "catalog.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=1)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    price = MoneyField(_("price"), default=0)
    status = models.ForeignKey(VisitStatus, on_delete=models.PROTECT, related_name="visits")
    # Denormalised from status.is_cancellation: the overlap check and the PostgreSQL
    # exclusion constraint need it on the row itself.
    blocks_time = models.BooleanField(default=True, editable=False)
    booking_state = models.CharField(
        _("prepayment"), max_length=10, choices=BookingState.choices, default="", blank=True
    )
    series = models.ForeignKey(
        LessonSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    # Named for the audit log's changes ("Source: Online booking"), as every audited field is.
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.STAFF
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["organization", "branch", "starts_at"]),
            models.Index(fields=["organization", "staff", "starts_at"]),
            models.Index(fields=["organization", "client", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="schedule_visit_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="schedule_visit_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        # "Стрижка 05.12.2026 10:00": the organization's local time in the app's date format,
        # as the calendar shows it (the audit log names a visit with this).
        what = self.service.name if self.service_id and self.service else self.get_kind_display()
        when = formats.date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        return f"{what} {when}"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def title(self) -> str:
        if self.kind == self.Kind.LESSON:
            return str(self.group or self.subject or self.lesson_type or _("Lesson"))
        return str(self.service) if self.service_id else str(_("Visit"))


class Attendance(OrgOwned):
    """A client on a visit, with their own attendance and what it was charged to."""

    class State(models.TextChoices):
        # Not yet marked: the word the seeded visit status says of the same visit ("Booked",
        # "Записано"), so the journal does not show two words for "not yet happened".
        PLANNED = "planned", _("Booked")
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("No-show")
        CANCELLED = "cancelled", _("Cancelled")

    class Charge(models.TextChoices):
        NONE = "", _("Not charged")
        MEMBERSHIP = "membership", _("Membership visit")
        BALANCE = "balance", _("Balance")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="attendances")
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="attendances"
    )
    state = models.CharField(
        _("attendance"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    charge = models.CharField(
        _("charge"), max_length=12, choices=Charge.choices, default="", blank=True
    )
    membership_id = models.BigIntegerField(null=True, blank=True)
    entry_id = models.BigIntegerField(null=True, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["visit_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "client"], name="schedule_attendance_unique")
        ]
        indexes = [models.Index(fields=["organization", "client"])]

    #: What `__str__` reads, for `select_related` where many are named at once (the audit log).
    str_related: ClassVar[tuple[str, ...]] = (
        "client",
        "visit__service",
        "visit__group",
        "visit__subject",
        "visit__lesson_type",
    )

    def __str__(self) -> str:
        # "Кравець Андрій — Стрижка, 05.12.2026 10:00 · Скасовано", in the reader's language.
        when = formats.date_format(
            timezone.localtime(self.visit.starts_at), "SHORT_DATETIME_FORMAT"
        )
        return f"{self.client} — {self.visit.title}, {when} · {self.get_state_display()}"


class OnlineBookingAttempt(models.Model):
    """Online bookings per client address, in the database so the limit holds across
    processes (not OrgOwned: the limit protects the whole deployment)."""

    ip_address = models.GenericIPAddressField(null=True, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip_address", "created_at"])]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.created_at}"
