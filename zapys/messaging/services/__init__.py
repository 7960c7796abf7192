"""Writes of the messaging app, one module a concern:

- `sending`: `message_send` (what the other apps call), bulk sends, custom messages, retry;
- `transport_accounts`, `channel_settings`, `templates`, `messengers`: the settings pages;
- `notifications`: staff notifications;
- `optout`: broadcast opt-outs (STOP, the unsubscribe link, staff).

The reads these writes use live in `zapys.messaging.routing` (where a message goes) and
`zapys.messaging.selectors` (templates rendered, settings); they are re-exported here so
that `from zapys.messaging.services import ...` keeps working for every name it ever had.
"""

from zapys.messaging.routing import (
    MESSENGERS,
    Route,
    active_accounts,
    channel_order,
    choose_route,
    event_enabled,
)
from zapys.messaging.selectors import message_renderer, messaging_settings_get, render_message
from zapys.messaging.services.channel_settings import (
    event_setting_save,
    event_settings_save_many,
    messaging_settings_save,
)
from zapys.messaging.services.messengers import client_messenger_link, client_messenger_unlink
from zapys.messaging.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
    staff_notify,
)
from zapys.messaging.services.optout import (
    client_opt_out_set,
    unsubscribe_token,
    unsubscribe_url,
)
from zapys.messaging.services.sending import (
    MAX_IDEMPOTENCY_KEY,
    Outgoing,
    message_retry,
    message_send,
    message_send_custom,
    message_send_many,
)
from zapys.messaging.services.templates import (
    check_placeholders,
    placeholders_error,
    template_reset,
    template_save,
)
from zapys.messaging.services.transport_accounts import (
    transport_account_delete,
    transport_account_save,
)

__all__ = [
    "MAX_IDEMPOTENCY_KEY",
    "MESSENGERS",
    "Outgoing",
    "Route",
    "active_accounts",
    "channel_order",
    "check_placeholders",
    "choose_route",
    "client_messenger_link",
    "client_messenger_unlink",
    "client_opt_out_set",
    "event_enabled",
    "event_setting_save",
    "event_settings_save_many",
    "message_renderer",
    "message_retry",
    "message_send",
    "message_send_custom",
    "message_send_many",
    "messaging_settings_get",
    "messaging_settings_save",
    "notification_mark_read",
    "notifications_mark_all_read",
    "placeholders_error",
    "render_message",
    "staff_notify",
    "template_reset",
    "template_save",
    "transport_account_delete",
    "transport_account_save",
    "unsubscribe_token",
    "unsubscribe_url",
]
