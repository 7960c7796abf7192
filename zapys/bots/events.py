"""The message kind of the bot's own replies that could not be sent inside the webhook.

A reply is normally sent right after the update's commit; when the messenger answers 429
or a 5xx, the reply is queued in the outbox under this event instead, so the outbox's
retry policy (backoff, `retry_after`) delivers it. Not a client template: the text is the
bot's answer as composed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.messaging.events import register_event

BOT_REPLY = "bots.reply"

register_event(
    BOT_REPLY,
    label=_("Bot reply"),
    variables=[("text", _("Message text"))],
    defaults={"telegram": "{text}", "viber": "{text}"},
    audience="bot",
)
