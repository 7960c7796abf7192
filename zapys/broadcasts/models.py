"""Broadcasts (M5): one text to an audience, queued as outbox rows in batches.

A broadcast is written by staff (or the API) as *scheduled*; at its time the job or the
send-now task turns it *sending*, counts the audience once (`total`) and writes the
messages batch by batch in client-id order, each batch one transaction that also moves
`cursor` past its last client. A worker killed mid-way loses at most the batch it was
writing (rolled back) and the next run starts after `cursor`; and even a repeated batch
cannot send anybody the broadcast twice, because a message's idempotency key is
`broadcast:<id>:<client id>`, unique per organization in the outbox. The outbox rows are
the per-recipient delivery log; when every row is final the broadcast is *done*.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from zapys.broadcasts.events import VARIABLES
from zapys.core.dates import moment_in_words
from zapys.core.fields import MoneyField
from zapys.core.tenancy import OrgOwned
from zapys.messaging.models import Channel


class Broadcast(OrgOwned):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    class Audience(models.TextChoices):
        ALL = "all", _("All clients")
        TAGS = "tags", _("Clients with a tag")
        CLIENTS = "clients", _("Chosen clients")
        ACTIVE_MEMBERSHIP = "active_membership", _("Clients with an active membership")
        NEGATIVE_BALANCE = "negative_balance", _("Clients with a balance below zero")
        LAST_VISIT_BEFORE = "last_visit_before", _("Clients whose last visit is older than")

    audience = models.CharField(
        _("audience"), max_length=24, choices=Audience.choices, default=Audience.ALL
    )
    tag_ids = models.JSONField(_("tags"), default=list, blank=True)
    client_ids = models.JSONField(_("clients"), default=list, blank=True)
    days = models.PositiveIntegerField(_("days since the last visit"), null=True, blank=True)
    # "" = each client's channel in the organization's order (messenger, SMS, e-mail).
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, blank=True, default=""
    )
    text = models.TextField(_("text"))
    send_at = models.DateTimeField(_("send at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    total = models.PositiveIntegerField(_("recipients"), default=0)
    queued = models.PositiveIntegerField(_("queued"), default=0)
    skipped = models.PositiveIntegerField(_("not reachable or unsubscribed"), default=0)
    cursor = models.BigIntegerField(default=0, editable=False)
    queued_all_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "send_at"], name="broadcasts_due")]

    def __str__(self) -> str:
        # The audit log names it by its first words and its time, «„У п'ятницю знижка 20%
        # на всі послуги!“, 4 грудня о 19:30» (fifth tour: «№1 · 04.12.2026 19:30»).
        return pgettext("broadcast named", "“%(title)s”, %(moment)s") % {
            "title": self.title,
            "moment": moment_in_words(timezone.localtime(self.send_at)),
        }

    @property
    def title(self) -> str:
        """What the broadcast is called on its page, in the list's trail and in the staff
        notification: its text's first words (`broadcast_title`)."""
        return broadcast_title(self.text)

    @property
    def readable_text(self) -> str:
        """The whole text with its variables as their labels in brackets, as the list and the
        broadcast's page show it ("[Client's first name], …"), not "{client…}"; the staff
        notification quotes what a client got instead (`services._finish_body`)."""
        return readable_text(self.text)

    def snippet(self, length: int = 60) -> str:
        """The first line as a person reads it: "[Client's first name], ..." cut on a word."""
        return readable_snippet(self.text, length)


class BroadcastSettings(OrgOwned):
    """Per organization: what one SMS part costs, for the estimate shown before sending."""

    sms_price = MoneyField(_("price of one SMS"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("broadcast settings")
        verbose_name_plural = _("broadcast settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="broadcasts_settings_unique")
        ]

    def __str__(self) -> str:
        # One row per organization: its kind ("Broadcast settings") says all.
        return str(capfirst(self._meta.verbose_name))


#: How many characters of its text name a broadcast.
TITLE_LENGTH = 50
_LEADING_VARIABLES = re.compile(r"^(?:\s*\{[a-z_.]+\}[\s,;:!.—–-]*)+")


def broadcast_title(text: str) -> str:
    """A broadcast's text's first words, «У п'ятницю знижка 20% на всі послуги!»: the
    variables it opens with go («{client.first_name}, у п'ятницю…» would be named
    «[Ім'я клієнта], у п'ятницю…»), the first letter is a capital, at most `TITLE_LENGTH`
    characters cut on a word. A text that is only variables is named as the list shows it."""
    words = readable_text(_LEADING_VARIABLES.sub("", text.strip()))
    title = first_line(words, TITLE_LENGTH)
    if not title:
        return readable_snippet(text, TITLE_LENGTH)
    return title[0].upper() + title[1:]


def readable_text(text: str) -> str:
    for name, label in VARIABLES:
        text = text.replace("{" + name + "}", f"[{label}]")
    return text


def readable_snippet(text: str, length: int = 60) -> str:
    """`text`'s first line with its variables as their labels in brackets, at most `length`
    characters, cut after a whole word with "…" (a list shows it; the page shows it all)."""
    return first_line(readable_text(text), length)


def first_line(text: str, length: int) -> str:
    """The first line of `text`, at most `length` characters, cut after a whole word with
    "…" (a rendered message quoted in a staff notification, a template on the list)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= length:
        return line
    cut = line[: length - 1]
    if " " in cut and not line[length - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-—") + "…"
