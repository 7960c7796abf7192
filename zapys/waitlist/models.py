"""The waiting list (X2, X7): clients waiting for a time, and the timed offers a freed slot
becomes.

An `Entry` is a client waiting for a service and/or a specialist within a date range, or for
a seat of one full group lesson. When the schedule frees time (a visit cancelled, a seat of
a lesson freed) the first eligible entry, oldest first, gets an `Offer`: the slot, a price
and a deadline (default 15 minutes), behind a public link that takes the prepayment. An
offer not paid by its deadline passes to the next entry; the slot itself is stored on every
offer, so passing on needs no visit read.
"""

from __future__ import annotations

from datetime import time
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from zapys.core.fields import MoneyField
from zapys.core.tenancy import OrgOwned
from zapys.core.tokens import new_public_token
from zapys.payments.config import public_url


class Entry(OrgOwned):
    """A client on the waiting list."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered a time")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Expired")
        REMOVED = "removed", _("Removed")

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("client"),
    )
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("service"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("specialist"),
    )
    lesson = models.ForeignKey(
        "schedule.Visit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("group class"),  # the schedule's word for a lesson (Visit.Kind)
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waiting list entry")
        verbose_name_plural = _("waiting list")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["organization", "status", "created_at"]),
            models.Index(fields=["organization", "client"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_to__gte=models.F("date_from")),
                name="waitlist_entry_range",
            ),
        ]

    #: What `__str__` reads, for `select_related` where many are named at once (the audit log).
    str_related: ClassVar[tuple[str, ...]] = ("client", "service")

    def __str__(self) -> str:
        # "Кравець Андрій — Стрижка, 04.12.2026–11.12.2026" (the service when there is one).
        days = "–".join(
            formats.date_format(day, "SHORT_DATE_FORMAT") for day in (self.date_from, self.date_to)
        )
        what = f"{self.service}, " if self.service_id and self.service is not None else ""
        return f"{self.client} — {what}{days}"


class Offer(OrgOwned):
    """A freed slot offered to one entry until `expires_at`."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting payment")
        BOOKED = "booked", _("Booked")
        EXPIRED = "expired", _("Not paid in time")
        TAKEN = "taken", _("Taken by someone else")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="offers")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    #: The visit whose time was freed (an appointment), or the lesson with a free seat.
    source = models.ForeignKey("schedule.Visit", on_delete=models.CASCADE, related_name="+")
    is_seat = models.BooleanField(default=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey("accounts.Branch", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    amount = MoneyField(_("prepayment"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    token = models.CharField(max_length=64, unique=True, default=new_public_token)
    expires_at = models.DateTimeField(_("offer expires"))
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit = models.ForeignKey(
        "schedule.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Booked by staff in the calendar for this very client (they phoned instead of paying
    #: by the link): booked, with no payment of the offer's and no message.
    booked_by_staff = models.BooleanField(
        _("booked in the calendar by staff"), default=False, db_default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waiting list offer")
        verbose_name_plural = _("waiting list offers")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["organization", "source"]),
        ]
        constraints = [
            # One open offer per freed appointment time: two clients never hold the same
            # one (a lesson's free seats may be offered to as many clients as are free). A
            # visit moved away frees its old time while it holds the new one, so one visit
            # may be the source of two times: the time is part of the key.
            models.UniqueConstraint(
                fields=["source", "staff", "starts_at"],
                condition=models.Q(status="open", is_seat=False),
                name="waitlist_one_open_offer_per_slot",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="waitlist_offer_amount"),
        ]

    #: What `__str__` reads, for `select_related` where many are named at once (the audit log).
    str_related: ClassVar[tuple[str, ...]] = ("client", "service")

    def __str__(self) -> str:
        # The client and the time offered: "Кравець Андрій — Стрижка, 05.12.2026 07:00".
        when = formats.date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        what = f"{self.service}, " if self.service_id and self.service is not None else ""
        return f"{self.client} — {what}{when}"

    @property
    def offer_url(self) -> str:
        return public_url("waitlist:offer", token=self.token)


#: Quiet hours unless an organization sets its own: no offer is sent from 21:00 to 08:00.
QUIET_FROM_DEFAULT = time(21, 0)
QUIET_TO_DEFAULT = time(8, 0)


class WaitlistSettings(OrgOwned):
    """An organization's waiting-list settings (one row, made with the defaults on first
    read: `services.waitlist_settings_get`)."""

    offer_minutes = models.PositiveIntegerField(
        _("minutes to pay for an offered time"),
        default=15,
        help_text=_(
            "A freed time is offered to one waiting client at a time; unpaid after this long, "
            "it passes to the next."
        ),
    )
    #: No offer is sent between these two times of the organization's day (wrapping past
    #: midnight when `quiet_from` is later than `quiet_to`; the same time twice: none). A
    #: time freed then waits (`DeferredSlot`) and is offered when they end.
    quiet_from = models.TimeField(_("quiet hours from"), default=QUIET_FROM_DEFAULT)
    quiet_to = models.TimeField(_("quiet hours until"), default=QUIET_TO_DEFAULT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("waiting list settings")
        verbose_name_plural = _("waiting list settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="waitlist_settings_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(offer_minutes__gte=5, offer_minutes__lte=1440),
                name="waitlist_offer_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        # One per organization: its kind ("Waiting list settings") names it, an id would not.
        return ""


class DeferredSlot(OrgOwned):
    """A freed time that came up during quiet hours: nobody is offered it at night (with 15
    minutes to pay while they sleep). The `waitlist.offers` job offers it at `offer_at`, the
    end of the quiet hours, if it is still free and still ahead — then the pay window counts
    from that message (`sweeps.offer_deferred`). The slot is stored whole, as an offer
    carries it: a moved visit's old time is nowhere else."""

    source = models.ForeignKey("schedule.Visit", on_delete=models.CASCADE, related_name="+")
    is_seat = models.BooleanField(default=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey("accounts.Branch", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    amount = MoneyField(_("prepayment"))
    offer_at = models.DateTimeField(_("to be offered at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("freed time waiting for the morning")
        verbose_name_plural = _("freed times waiting for the morning")
        ordering = ["offer_at", "id"]
        indexes = [models.Index(fields=["offer_at"])]
        constraints = [
            # One row per time: a second freeing of it overnight (a lapsed offer, a removal)
            # changes nothing.
            models.UniqueConstraint(
                fields=["source", "is_seat", "starts_at"], name="waitlist_deferred_once"
            ),
        ]

    #: What `__str__` reads, for `select_related` where many are named at once.
    str_related: ClassVar[tuple[str, ...]] = ("service",)

    def __str__(self) -> str:
        when = formats.date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")
        return f"{self.service}, {when}" if self.service_id and self.service else when
