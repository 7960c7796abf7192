"""Providers as a person names them: "TurboSMS", "Telegram bot", "Test mode (...)".

The settings form, the accounts table and a message's page all name an account's provider
by these labels, never by its registry code ("console"). The console transport is the test
mode: it sends nothing, the message is only shown in Messages; it is listed last, so a new
account gets a real provider unless somebody picks the test mode on purpose.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

TEST_MODE = "console"

PROVIDER_LABELS = {
    "turbosms": "TurboSMS",
    "twilio": "Twilio",
    "email": _("E-mail (SMTP / server default)"),
    "telegram": _("Telegram bot"),
    "viber": _("Viber bot"),
    TEST_MODE: _("Test mode (nothing is sent)"),
}

#: The name of the test-mode accounts the demo seeds, shown in the page's language
#: (`core.system_names`); "Console (demo)" is how demos before issue 17 stored it.
DEMO_ACCOUNT_NAME = gettext_noop("Test mode (demo)")
DEMO_ACCOUNT_OLD_NAMES = ("Console (demo)",)
#: The demo's Telegram bot (a test-mode Telegram account, `bots.demo`), named the same way;
#: demos before issue 17 stored the English "Telegram bot (demo, console)".
DEMO_BOT_NAME = gettext_noop("Telegram bot (demo)")
DEMO_BOT_OLD_NAMES = ("Telegram bot (demo, console)",)


def provider_label(code: str) -> str:
    return str(PROVIDER_LABELS.get(code, code))
