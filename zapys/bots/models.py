"""What the bot remembers: updates seen (replays change nothing), the chats it talks to and
the phone each proved, binding tokens used (one-time), staff members' own chats (M6).

The organization's bot is its Telegram or Viber messaging account (`TransportAccount`); the
client's link to a chat is messaging's `ClientMessenger`, which routing reads (M4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.core.tenancy import OrgOwned


class BotUpdate(OrgOwned):
    """One update received from Telegram (`update_id`) or Viber (`message_token` or the
    event's own key): the unique key makes a replayed update a no-op."""

    account = models.ForeignKey(
        "messaging.TransportAccount", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("update id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    chat_id = models.CharField(_("chat id"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("bot update")
        verbose_name_plural = _("bot updates")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="bots_update_once")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.key}"


class BotChat(OrgOwned):
    """A chat with the organization's bot and what it proved: the sender's own phone
    (a shared contact whose user is the sender). A phone of several clients (a family) links
    the chat to all of them; switching the current card is allowed only to a client linked
    to this chat."""

    account = models.ForeignKey(
        "messaging.TransportAccount", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("messenger"), max_length=16)
    chat_id = models.CharField(_("chat id"), max_length=100)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The card the commands (balance, next visit, pay) act on: a family's chat is linked
    # to every client of the family, and the user picks whose card they are asking about.
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("current card"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bot chat")
        verbose_name_plural = _("bot chats")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "chat_id"], name="bots_chat_unique")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat_id}"


class UsedBindingToken(OrgOwned):
    """A binding token (`messaging.services.binding`) that has linked a chat: used once."""

    signature = models.CharField(max_length=64)
    chat_id = models.CharField(_("chat id"), max_length=100)
    used_at = models.DateTimeField(_("used"), auto_now_add=True)

    class Meta:
        verbose_name = _("used binding link")
        verbose_name_plural = _("used binding links")
        constraints = [
            models.UniqueConstraint(fields=["signature"], name="bots_binding_token_once")
        ]

    def __str__(self) -> str:
        return self.signature


class StaffChat(OrgOwned):
    """A staff member's own chat with the bot: their staff notifications go there (M6)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("messenger"), max_length=16)
    chat_id = models.CharField(_("chat id"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff chat")
        verbose_name_plural = _("staff chats")
        ordering = ["user_id", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "channel"], name="bots_staff_chat_one_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}:{self.chat_id}"
