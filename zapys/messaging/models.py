"""Messaging: transport accounts, templates, channel order, the outbox, staff notifications.

The outbox (`Message`) is the heart of the app: every client message is a row written
in the sender's transaction and delivered after commit by a task or by the periodic
sweep. The row is its own delivery log (status, attempts, last error, provider id),
so nothing is sent that is not recorded, and a killed worker loses nothing: a row
left in "sending" past its lease goes back to the queue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.core.stored_text import render_stored
from zapys.core.system_names import is_default_name, shown_name
from zapys.core.tenancy import OrgOwned
from zapys.messaging.events import STAFF_NOTIFICATION, event_exists, get_event
from zapys.messaging.providers import (
    DEMO_ACCOUNT_NAME,
    DEMO_ACCOUNT_OLD_NAMES,
    DEMO_BOT_NAME,
    DEMO_BOT_OLD_NAMES,
    TEST_MODE,
    provider_label,
)


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")
    VIBER = "viber", _("Viber")


class MessengerChannel(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")
    VIBER = "viber", _("Viber")


class TransportAccount(OrgOwned):
    """An organization's credentials for one provider, serving one channel (M1).

    `code` is a transport registry code; "console" may serve any channel (development).
    Credentials are stored encrypted (zapys.core.crypto) and only shown back masked.
    Among active accounts of a channel the lowest `priority` is used.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    code = models.CharField(pgettext_lazy("message transport", "sending service"), max_length=32)
    name = models.CharField(_("name"), max_length=100, blank=True)
    credentials_encrypted = models.TextField(blank=True, editable=False)
    base_url = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_("Leave empty for the provider's default address."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=10)
    max_per_second = models.PositiveSmallIntegerField(
        _("messages per second at most"),
        default=0,
        help_text=_(
            "0: the provider's usual limit (Telegram about 30 a second, Viber and SMS gateways fewer)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["channel", "priority", "id"]
        verbose_name = _("sending account")
        verbose_name_plural = _("sending accounts")

    def __str__(self) -> str:
        return self.display_name or f"{self.get_channel_display()}: {provider_label(self.code)}"

    @property
    def display_name(self) -> str:
        """The demo's test-mode accounts (and its Telegram bot) are named in the page's
        language until renamed."""
        if self.code != TEST_MODE:
            return self.name
        if self.channel == Channel.TELEGRAM and is_default_name(
            self.name, DEMO_BOT_NAME, DEMO_BOT_OLD_NAMES
        ):
            return gettext(DEMO_BOT_NAME)
        return shown_name(self.name, DEMO_ACCOUNT_NAME, DEMO_ACCOUNT_OLD_NAMES)


class EventSetting(OrgOwned):
    """Per organization: the channel order and on/off switch of one event (M4).

    `event == ""` is the organization's default order for events without their own row.
    """

    event = models.CharField(_("event"), max_length=100, blank=True)
    channels = models.CharField(_("channel order"), max_length=100, default="")
    is_enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        ordering = ["event"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "event"], name="messaging_eventsetting_unique"
            )
        ]

    def __str__(self) -> str:
        # The audit log names it: «Оплата візиту: Telegram → SMS → E-mail», «Усі
        # повідомлення: …» for the organization's order (was «*: telegram,viber,sms,email»).
        labels = dict(Channel.choices)
        order = " → ".join(str(labels.get(code, code)) for code in self.channel_list) or "—"
        if not self.event:
            what = gettext("All messages")
        elif event_exists(self.event):
            what = str(get_event(self.event).label)
        else:
            what = self.event
        return f"{what}: {order}"

    @property
    def channel_list(self) -> list[str]:
        return [c for c in self.channels.split(",") if c]


class MessagingSettings(OrgOwned):
    """Organization-wide messaging options (one row per organization)."""

    staff_telegram_chat_id = models.CharField(
        _("staff Telegram chat ID"),
        max_length=64,
        blank=True,
        help_text=_("Staff notifications are also sent to this chat via the Telegram bot."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="messaging_settings_unique")
        ]

    def __str__(self) -> str:
        # One row per organization: its kind ("Messaging settings") says all.
        return str(capfirst(self._meta.verbose_name))


class MessageTemplate(OrgOwned):
    """An organization's own text for one event on one channel (M3)."""

    event = models.CharField(_("event"), max_length=100)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    subject = models.CharField(pgettext_lazy("e-mail", "subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    is_enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "event", "channel"], name="messaging_template_unique"
            )
        ]

    def __str__(self) -> str:
        event = get_event(self.event).label if event_exists(self.event) else self.event
        return f"{event} · {self.get_channel_display()}"


class ClientMessenger(OrgOwned):
    """A client's link to a messenger (filled by the bot when the client subscribes).

    One chat may be linked to every client of a family (one phone), so that each child's
    messages reach the parent's chat; `messaging.services.messengers` keeps strangers out."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="messengers"
    )
    channel = models.CharField(_("messenger"), max_length=16, choices=MessengerChannel.choices)
    external_id = models.CharField(_("chat / user id"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client messenger")
        verbose_name_plural = _("client messengers")
        ordering = ["client_id", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "channel"], name="messaging_messenger_one_per_channel"
            ),
        ]
        # One chat may serve a family (several clients with one phone): not unique.
        indexes = [
            models.Index(
                fields=["organization", "channel", "external_id"],
                name="messaging_messenger_chat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.client}"


class Message(OrgOwned):
    """One outgoing message: stored before it is sent (M2)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    transport_account = models.ForeignKey(
        TransportAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transport_code = models.CharField(
        pgettext_lazy("message transport", "sending service"), max_length=32, blank=True
    )
    event = models.CharField(_("event"), max_length=100)
    subject = models.CharField(pgettext_lazy("e-mail", "subject"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    # Generic link to what the message is about (a visit, a booking, an invoice), the same
    # convention as ledger entries' cause: model label + primary key as text.
    related_type = models.CharField(max_length=100, blank=True)
    related_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(
        _("message ID at the service"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="messaging_message_idempotency"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="messaging_msg_due"),
            models.Index(fields=["claim_token"], name="messaging_msg_claim"),
            models.Index(fields=["organization", "client"], name="messaging_msg_client"),
            models.Index(
                fields=["organization", "related_type", "related_id"], name="messaging_msg_related"
            ),
        ]

    def __str__(self) -> str:
        # The audit log and staff pages: the channel in words and to whom, «SMS → Коваль
        # Олена, +380 67 130 09 22» (not a bare «SMS → +380671300922»). Not the status: the
        # audit log keeps this text, and a status changes after it is written. A messenger's
        # recipient is a chat id, which says nothing: the client's name alone then.
        return f"{self.get_channel_display()} → {self.addressee}"

    @property
    def addressee(self) -> str:
        """To whom, as people read it: the client's name, then the phone (formatted) or the
        address it went to; a messenger's chat by the client's name."""
        from zapys.clients.phones import display_phone

        address = self.recipient if self.channel == Channel.EMAIL else display_phone(self.recipient)
        if self.client_id is None:
            return self.recipient_shown if self.channel in MessengerChannel.values else address
        if self.channel in MessengerChannel.values or not address:
            return str(self.client)
        return f"{self.client}, {address}"

    @property
    def title(self) -> str:
        """The message's page names it by channel, addressee and time («SMS: Коваль Олена,
        +380 67 130 09 22, 5 грудня о 10:15»), not «Повідомлення №90»."""
        from django.utils import timezone

        from zapys.core.dates import moment_in_words

        return pgettext("message title", "%(channel)s: %(addressee)s, %(moment)s") % {
            "channel": self.get_channel_display(),
            "addressee": self.addressee,
            "moment": moment_in_words(timezone.localtime(self.created_at)),
        }

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.SENT, self.Status.DELIVERED, self.Status.FAILED)

    @property
    def recipient_shown(self) -> str:
        """The recipient as a person reads it. A phone or an e-mail address is shown as
        stored; a messenger's recipient is a chat id ("900000001"), which means nothing to
        anybody reading the page, so the chat is named by whose it is (the client's name is
        beside it on every page that lists messages). The id stays in `recipient`: the API,
        the search and the message page's tooltip have it."""
        if self.channel not in MessengerChannel.values:
            return self.recipient
        channel = self.get_channel_display()
        if self.client_id is not None:
            return gettext("Client's %(channel)s chat") % {"channel": channel}
        if self.event == STAFF_NOTIFICATION:
            return gettext("Staff %(channel)s chat") % {"channel": channel}
        return gettext("%(channel)s chat not linked to a client") % {"channel": channel}


#: How totals name what the test mode "sent" (`message_outcome`).
TEST_MODE_OUTCOME = "test_mode"


def message_outcome(status: str, transport_code: str) -> str:
    """What a message counts as in a total: its status, except that what the test mode (the
    console transport, `providers.TEST_MODE`) "sent" or "delivered" reached no one — it is
    `TEST_MODE_OUTCOME`, never counted as sent or delivered. The single message's badge
    (`messaging/_status.html`) says the same: "Test mode: not sent". A test-mode message
    still queued is waiting, as any other (a broadcast is not done while one is)."""
    if transport_code == TEST_MODE and status in (Message.Status.SENT, Message.Status.DELIVERED):
        return TEST_MODE_OUTCOME
    return status


class StaffNotification(OrgOwned):
    """An in-app notification for one staff member or the whole team (M6).

    A team notification (recipient empty) is a shared inbox item: the first colleague
    who reads it marks it read for everybody, which is how small teams work a list.
    """

    class Level(models.TextChoices):
        INFO = "info", _("Info")
        SUCCESS = "success", _("Success")
        WARNING = "warning", _("Warning")
        DANGER = "danger", _("Important")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The text as rendered when the notification was written (in the writer's language):
    # what rows from before issue 17 have, and the fallback. `title_text` / `body_text`
    # keep the msgid and its parameters, so each reader sees it in their own language
    # (`core.stored_text`); `shown_title` / `shown_body` are what pages show.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    title_text = models.JSONField(default=dict, blank=True)
    body_text = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.INFO)
    related_type = models.CharField(max_length=100, blank=True)
    related_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("staff notification")
        verbose_name_plural = _("staff notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "read_at"], name="messaging_notif_unread")]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        return render_stored(self.title_text, fallback=self.title)

    @property
    def shown_body(self) -> str:
        return render_stored(self.body_text, fallback=self.body)


class MarketingOptOut(OrgOwned):
    """A client who asked not to get broadcasts (M5): on one channel, or on all (channel "").

    Service messages (reminders, payment links) are not marketing and still go out. A row
    is written by a STOP reply to the bot, by the unsubscribe link or by staff, and deleted
    when the client subscribes again.
    """

    class Source(models.TextChoices):
        STAFF = "staff", _("Staff")
        LINK = "link", _("Unsubscribe link")
        REPLY = "reply", _("Reply to the bot")

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, blank=True, default=""
    )
    source = models.CharField(_("how"), max_length=16, choices=Source.choices, default=Source.STAFF)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("broadcast opt-out")
        verbose_name_plural = _("broadcast opt-outs")
        ordering = ["client_id", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "channel"], name="messaging_optout_one_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.channel or '*'}"


class PacerSlot(models.Model):
    """When an account may send next, shared by every worker process (`messaging.pacing`).

    Not tenant data: one row per paced transport account, written by one atomic upsert per
    send, so several workers together keep the account's rate. Seconds since the epoch.
    """

    account = models.OneToOneField(
        TransportAccount, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    next_at = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("sending slot")
        verbose_name_plural = _("sending slots")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.next_at}"
