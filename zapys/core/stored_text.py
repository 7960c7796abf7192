"""Text written once and read in each reader's language (issue 17).

Text the system writes for people to read later — a staff notification, the comment of a
ledger entry or a till operation — used to be stored translated when it was created: in the
language of whoever caused it (a Ukrainian payment callback), so an English page showed
"Отримано поповнення: 500,00 грн". Now the writer gives a `StoredText`: the English msgid
(marked with `gettext_noop`, so it is in the catalogue) and its parameters; the row stores
both and each reader sees it in their own language, with money formatted for that language
at display time::

    staff_notify(
        organization=org,
        title=StoredText(gettext_noop("Top-up received: %(amount)s"), amount=Money(50000)),
    )

Parameters are kept as JSON: text and numbers as they are, money as kopecks + currency
(`Money`), a moment as its instant and the organization's time zone (`Moment`, said as
"7 грудня о 15:00" / "7 December at 15:00" when read), a translatable word (a status) as a
nested `StoredText`, a list of such (bookings named in one notification) as a list, read
joined with ", ". The text rendered at creation is stored too: it is what old rows have,
what the API and searches see, and the fallback when a msgid cannot be rendered any more.
It lives in core because both messaging (notifications) and the ledger (comments) use it,
and the ledger may not import messaging.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import translation

from zapys.core.dates import moment_in_words
from zapys.core.money import Money

Param: TypeAlias = "str | int | Money | Moment | StoredText | list[StoredText]"


#: Stored texts said differently now: the msgid a row was stored with → the msgid it is read
#: with today (`text_renamed`). The row keeps its parameters; today's text uses those it
#: needs (a "%(name)s" mapping ignores the others), so an old row reads as a new one does.
RENAMED: dict[str, str] = {}


def text_renamed(former: str, today: str) -> None:
    """Read rows stored with `former` as `today` says it. For a text that dropped something
    nobody should read any more (an internal number), where every parameter `today` uses was
    stored with `former` too; the former msgid stays in the catalogue (the fallback)."""
    RENAMED[former] = today


@dataclass(frozen=True)
class Moment:
    """A moment named in a stored text (a visit's start): kept as the instant and the
    organization's time zone, said in the reader's language when shown — the words of a
    date ("грудня" / "December") belong to the reader, the clock to the organization."""

    at: datetime
    zone: str

    def local(self) -> datetime:
        try:
            zone = ZoneInfo(self.zone or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):  # a stored zone this machine doesn't know
            zone = ZoneInfo(settings.TIME_ZONE)
        return self.at.astimezone(zone)


@dataclass(frozen=True, init=False)
class StoredText:
    msgid: str
    params: dict[str, Param] = field(default_factory=dict)
    lower: bool = False  # a word inside a sentence ("after the invoice was paid")
    #: the plural msgid of a counted text (`counted`): the count is the parameter "n"
    plural: str = ""

    def __init__(self, msgid: str, **params: Param) -> None:
        object.__setattr__(self, "msgid", str(msgid))
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "lower", False)
        object.__setattr__(self, "plural", "")

    @classmethod
    def counted(cls, singular: str, plural: str, n: int, **params: Param) -> StoredText:
        """A text with a number in it ("2 bookings"): the language's plural form for `n`
        (mark both with `ngettext_noop`-style `gettext_noop` pairs in the catalogue)."""
        text = cls(singular, n=n, **params)
        object.__setattr__(text, "plural", str(plural))
        return text

    @classmethod
    def word(cls, msgid: str) -> StoredText:
        """A label (a status) used inside another text, in lower case."""
        text = cls(msgid)
        object.__setattr__(text, "lower", True)
        return text

    def stored(self) -> dict[str, Any]:
        """The JSON kept on the row (a notification, a ledger comment)."""
        stored: dict[str, Any] = {
            "msgid": self.msgid,
            "params": {k: _dump(v) for k, v in self.params.items()},
        }
        if self.lower:
            stored["lower"] = True
        if self.plural:
            stored["plural"] = self.plural
        return stored

    def render(self) -> str:
        """The text in the active language."""
        return render_stored(self.stored(), fallback=self.msgid)


#: What a writer may give where people read text later: text as typed (a staff comment, a
#: service's name — data, shown as it is) or a `StoredText` the system wrote.
TextOrStored: TypeAlias = "str | StoredText"


def text_split(text: TextOrStored) -> tuple[str, dict[str, Any] | None]:
    """The two columns a row keeps for `text`: the text in the active language (what the API
    and searches see, and the fallback) and, for a `StoredText`, what renders it again in
    each reader's language (None for text as typed)."""
    if isinstance(text, StoredText):
        return text.render(), text.stored()
    return text, None


def _dump(value: Param) -> Any:
    if isinstance(value, Money):
        return {"money": value.amount, "currency": value.currency}
    if isinstance(value, Moment):
        return {"moment": value.at.isoformat(), "zone": value.zone}
    if isinstance(value, StoredText):
        return {"text": value.stored()}
    if isinstance(value, list):
        return {"list": [_dump(item) for item in value]}
    return value


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and "money" in value:
        # The pages' money filter, imported here: the models import this module.
        from zapys.core.templatetags.zapys import money as money_filter

        return money_filter(value["money"], value.get("currency") or "UAH")
    if isinstance(value, dict) and "moment" in value:
        moment = Moment(datetime.fromisoformat(value["moment"]), value.get("zone") or "")
        return moment_in_words(moment.local())
    if isinstance(value, dict) and "text" in value:
        return render_stored(value["text"], fallback="")
    if isinstance(value, dict) and "list" in value:
        return ", ".join(str(_shown(item)) for item in value["list"])
    return value


def render_stored(stored: dict[str, Any] | None, *, fallback: str) -> str:
    """A stored text in the active language; `fallback` (the text rendered when the row was
    written) for a row without one or one that no longer renders."""
    if not stored or not stored.get("msgid"):
        return fallback
    msgid = RENAMED.get(stored["msgid"], stored["msgid"])
    params = stored.get("params") or {}
    if stored.get("plural"):
        count = params.get("n")
        text = translation.ngettext(
            stored["msgid"], stored["plural"], count if isinstance(count, int) else 0
        )
    else:
        text = translation.gettext(msgid)
    if stored.get("lower"):
        text = text.lower()
    if not params:
        return text
    try:
        return text % {key: _shown(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return fallback
