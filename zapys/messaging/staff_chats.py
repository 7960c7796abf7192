"""Staff members' own messenger chats, for copies of staff notifications (M6).

Messaging owns staff notifications but not the bot that links a staff member's Telegram
(the `bots` app, above it); the bot declares here which chats a notification goes to, in
its `messaging_hooks.py`, found the first time a notification is sent::

    # zapys/<app>/messaging_hooks.py
    from zapys.messaging.staff_chats import staff_chats_declare

    def chats(organization, recipient):   # one query
        return ["123456789"]               # Telegram chat ids

    staff_chats_declare("bots", chats)

`recipient=None` is a team notification: every linked staff member's chat; otherwise the
recipient's own chats only.

A provider may also say what to do when a chat turns out to be gone (Telegram answered a
notification with 403 "bot was blocked by the user"): `gone(organization, chat_id)` stops
further notifications to it. The outbox calls `staff_chat_gone` for such a refusal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from zapys.accounts.models import Organization, User

StaffChatsProvider = Callable[["Organization", "User | None"], list[str]]
StaffChatGone = Callable[["Organization", str], int]

_providers: dict[str, StaffChatsProvider] = {}
_gone: dict[str, StaffChatGone] = {}


@functools.cache
def _discover() -> None:
    autodiscover_modules("messaging_hooks")


def staff_chats_declare(
    key: str, provider: StaffChatsProvider, gone: StaffChatGone | None = None
) -> StaffChatsProvider:
    """Declare `provider(organization, recipient) -> [telegram chat id]` under `key`, and
    optionally `gone(organization, chat_id) -> chats switched off`."""
    _providers[key] = provider
    if gone is not None:
        _gone[key] = gone
    return provider


def staff_chat_gone(organization: Organization, chat_id: str) -> int:
    """A staff chat refused a notification for good (the bot was blocked): every provider
    that knows the chat stops sending to it. Returns how many chats were switched off."""
    _discover()
    return sum(_gone[key](organization, chat_id) for key in sorted(_gone))


def staff_chats_for(organization: Organization, recipient: User | None) -> list[str]:
    """The Telegram chats a staff notification is copied to, without repeats."""
    _discover()
    chats: list[str] = []
    for key in sorted(_providers):
        for chat in _providers[key](organization, recipient):
            if chat and chat not in chats:
                chats.append(chat)
    return chats
