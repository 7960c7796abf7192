"""What an organization wants told to its clients about their visits, and what was told.

`VisitMessageSettings`: one row per organization (an organization without one has the
defaults: online bookings confirmed, a reminder 24 hours before, nothing at night).
`VisitNotice`: one row per visit, client, kind and start — the record that a confirmation,
a reminder or a «your visit moved» message was handled, so it never goes twice (a unique
constraint, even with two workers) and a visit moved to another time is reminded of the
new one.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from zapys.core.tenancy import OrgOwned

QUIET_FROM_DEFAULT = time(21, 0)
QUIET_TO_DEFAULT = time(8, 0)
#: Hours before the visit a reminder may go (a choice, not any number: the sweep reads one
#: window per choice in one query).
LEAD_HOURS = (1, 2, 3, 4, 6, 12, 24, 48)
REMINDER_HOURS_DEFAULT = 24


def hours_before(hours: int) -> str:
    """«за 24 години» / "24 hours before", in the active language."""
    return ngettext("%(n)d hour before", "%(n)d hours before", hours) % {"n": hours}


_hours_before = lazy(hours_before, str)
LEAD_CHOICES = [(hours, _hours_before(hours)) for hours in LEAD_HOURS]


class VisitMessageSettings(OrgOwned):
    #: The client gets “You are booked…” right after booking on the public page.
    confirm_online = models.BooleanField(_("confirm visits booked online"), default=True)
    #: The same for a visit staff or the API book (off: the client has just been told on
    #: the phone or at the desk, and an SMS costs money).
    confirm_staff = models.BooleanField(_("confirm visits booked by staff"), default=False)
    #: «Your visit moved» when staff or the API move it to another time or specialist (off
    #: by default, as `confirm_staff`: the desk usually agrees the new time with the client).
    notify_moved = models.BooleanField(_("tell the client a visit moved"), default=False)
    remind = models.BooleanField(_("remind before the visit"), default=True)
    reminder_hours = models.PositiveSmallIntegerField(
        _("reminder"), choices=LEAD_CHOICES, default=REMINDER_HOURS_DEFAULT
    )
    second_reminder_hours = models.PositiveSmallIntegerField(
        _("second reminder"),
        choices=[(0, _("no second reminder")), *LEAD_CHOICES],
        default=0,
        blank=True,
    )
    quiet_from = models.TimeField(_("no reminders from"), default=QUIET_FROM_DEFAULT)
    quiet_to = models.TimeField(_("no reminders until"), default=QUIET_TO_DEFAULT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visit message settings")
        verbose_name_plural = _("visit message settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="visit_messages_settings_one")
        ]

    def __str__(self) -> str:
        # One row per organization: its kind names it.
        return str(capfirst(self._meta.verbose_name))


class VisitNotice(OrgOwned):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Booking confirmation")
        REMINDER = "reminder", _("Reminder")
        SECOND_REMINDER = "second_reminder", _("Second reminder")
        MOVED = "moved", _("Visit moved")

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Handed to the outbox")
        NOT_SENT = "not_sent", _("Not sent: no channel reaches the client or the message is off")
        NOT_NEEDED = "not_needed", _("Not needed: the booking was just confirmed")
        #: A «visit moved» made in the quiet hours: the reminder sweep sends it when they end.
        WAITING = "waiting", _("Waiting for the quiet hours to end")
        STALE = "stale", _("Not sent: the visit moved again or was cancelled meanwhile")

    visit = models.ForeignKey("schedule.Visit", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    #: The visit's start the message named: a visit moved later is reminded again.
    starts_at = models.DateTimeField(_("visit start"))
    #: A «visit moved» message's previous start and specialist (the message says «було …»).
    moved_from = models.DateTimeField(_("previous start"), null=True, blank=True)
    previous_staff = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous specialist"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.QUEUED
    )
    #: Which sweep inserted the row (the rows a run claimed are the ones with its token).
    claim = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit message")
        verbose_name_plural = _("visit messages")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "client", "kind", "starts_at"], name="visit_messages_notice_once"
            )
        ]
        indexes = [models.Index(fields=["claim"])]

    def __str__(self) -> str:
        return str(self.get_kind_display())
