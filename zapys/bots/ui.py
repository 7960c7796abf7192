"""What the bot adds to the staff interface (see `core.ui`): its audit actions' names."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import audit_actions, audit_fields

audit_actions(
    {
        "bots.webhook_register": _("Bot webhook registered"),
        "bots.staff_chat_link": _("Staff notifications connected to a messenger"),
        "bots.staff_chat_unlink": _("Staff notifications disconnected from a messenger"),
    }
)
audit_fields("", {"webhook_url": _("Webhook address")})
