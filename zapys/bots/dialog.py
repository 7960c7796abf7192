"""What the bot hears and what it says, the same for Telegram and Viber.

Each messenger's package (`bots.telegram`, `bots.viber`) turns its update into an
`Incoming` and renders the `Reply`s with its own keyboards: Telegram's reply keyboard with
`request_contact` and inline buttons, Viber's keyboard with `share-phone` and `reply`
buttons. A button's `data` comes back as the update's `data` on both ("client:12",
"cmd:balance"), so the conversation below never knows which messenger it talks to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

#: Commands and the words people type for them (both languages; "/" is optional).
COMMAND_WORDS: dict[str, tuple[str, ...]] = {
    "start": ("start", "hi", "hello", "привіт", "вітаю", "добрий день", "почати", "старт"),
    "help": ("help", "menu", "допомога", "меню"),
    "balance": ("balance", "баланс"),
    "next": ("next", "next visit", "visit", "найближчий запис", "запис", "візит"),
    "pay": ("pay", "оплатити", "оплата", "сплатити"),
    "stop": ("stop", "unsubscribe", "стоп", "відписатися"),
}
_WORD_TO_COMMAND = {word: command for command, words in COMMAND_WORDS.items() for word in words}


@dataclass(frozen=True)
class Incoming:
    """One update in the messenger-neutral shape.

    `key` is the update's unique id (a replay has the same key and changes nothing);
    `token` a binding token from a deep link; `phone` a shared contact's number, with
    `own_contact` saying whether the messenger vouches it is the sender's own; `data` a
    pressed button's data.
    """

    key: str
    chat_id: str
    name: str = ""
    text: str = ""
    token: str = ""
    phone: str = ""
    own_contact: bool = False
    data: str = ""
    callback_id: str = ""
    gone: bool = False  # the user blocked / unsubscribed from the bot


@dataclass(frozen=True)
class Button:
    text: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True)
class Reply:
    text: str
    ask_phone: bool = False
    buttons: tuple[Button, ...] = field(default=())


def command_of(incoming: Incoming) -> str:
    """The command an update asks for ("" when it is none of them)."""
    if incoming.data.startswith("cmd:"):
        return incoming.data.removeprefix("cmd:")
    text = incoming.text.strip().lower()
    if text.startswith("/"):
        text = text[1:].split("@", 1)[0]  # "/balance@salon_bot" in a group
    return _WORD_TO_COMMAND.get(text.strip(" !.?"), "")


def menu_buttons() -> tuple[Button, ...]:
    return (
        Button(str(_("Balance")), data="cmd:balance"),
        Button(str(_("Next visit")), data="cmd:next"),
        Button(str(_("Pay")), data="cmd:pay"),
        Button(str(_("Stop messages")), data="cmd:stop"),
    )


def share_phone_button_text() -> str:
    return str(_("Share my phone number"))
