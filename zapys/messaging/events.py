"""Registry of message kinds ("events") that apps send to clients.

An app that sends messages declares each kind once, in its own `events.py`, with the
variables a template may use and a default text per channel:

    register_event(
        "schedule.visit_reminder",
        label=_("Visit reminder"),
        variables=[("client.first_name", _("Client's first name")), ("visit_time", _("Time"))],
        defaults={"sms": "{client.first_name}, see you at {visit_time}"},
    )

The declaration is the contract between the sender and the template editor: the
editor lists exactly these variables, rendering allows only these names, and an
organization that never customised a template still sends the default text.
`zapys/<app>/events.py` modules are imported when the messaging app is ready.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Channels a client message can go through, in the default order of preference (M4).
CLIENT_CHANNELS: tuple[str, ...] = ("telegram", "viber", "sms", "email")
#: Every channel a template can exist for.
CHANNELS: tuple[str, ...] = ("sms", "email", "telegram", "viber")
#: Where a channel without a default text of its own takes one from, in this order.
DEFAULT_TEXT_FALLBACK: tuple[str, ...] = ("sms", "telegram", "email", "viber")
CHANNEL_LABELS: dict[str, Any] = {
    "sms": _("SMS"),
    "email": _("E-mail"),
    "telegram": _("Telegram"),
    "viber": _("Viber"),
}


@dataclass(frozen=True)
class EventType:
    """One declared message kind."""

    code: str
    label: Any
    variables: tuple[tuple[str, Any], ...]
    defaults: Mapping[str, Any]
    default_subjects: Mapping[str, Any] = field(default_factory=dict)
    #: Staff-facing events (e.g. staff.notification) are not offered to clients.
    audience: str = "client"
    #: A marketing message (a broadcast) goes only on the channel it was queued for: when a
    #: messenger refuses it, it is not sent again by SMS (that costs money and ignores the
    #: channel the staff chose); transactional messages keep the fallback.
    marketing: bool = False

    @property
    def variable_names(self) -> list[str]:
        return [name for name, _label in self.variables]

    def default_text(self, channel: str) -> Any:
        """The default for the channel; messengers fall back to the SMS text, then any.

        May be a lazy translation: str() it inside the organization's language.
        """
        if channel in self.defaults:
            return self.defaults[channel]
        for fallback in DEFAULT_TEXT_FALLBACK:
            if fallback in self.defaults:
                return self.defaults[fallback]
        return ""

    def default_subject(self) -> Any:
        return self.default_subjects.get("email", "") or self.label


_REGISTRY: dict[str, EventType] = {}


class UnknownEvent(LookupError):
    """No event is registered under this code (a programming error in the sender)."""


#: What every client message may say, whatever its event declares (K1): the client's cabinet
#: link. Added to each client event's variables (the editor lists it, a template may use it);
#: `messaging.rendering` reads it from the message's client when the sender gives none.
CLIENT_WIDE_VARIABLES: tuple[tuple[str, Any], ...] = (
    ("cabinet_url", _("Link to the client's page")),
)


def register_event(
    code: str,
    *,
    label: Any,
    variables: Iterable[tuple[str, Any]],
    defaults: Mapping[str, Any],
    subject: Any = "",
    audience: str = "client",
    marketing: bool = False,
) -> EventType:
    """Declare a message kind. Re-registering the same code replaces it (module reloads)."""
    unknown = set(defaults) - set(CHANNELS)
    if unknown:
        raise ValueError(f"event {code!r}: unknown channels in defaults: {sorted(unknown)}")
    declared = tuple((str(name), label_) for name, label_ in variables)
    if audience == "client":
        names = {name for name, _label in declared}
        declared += tuple(v for v in CLIENT_WIDE_VARIABLES if v[0] not in names)
    event = EventType(
        code=code,
        label=label,
        variables=declared,
        defaults=dict(defaults),
        default_subjects={"email": subject} if subject else {},
        audience=audience,
        marketing=marketing,
    )
    _REGISTRY[code] = event
    return event


def get_event(code: str) -> EventType:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnknownEvent(f"message event {code!r} is not registered") from None


def event_exists(code: str) -> bool:
    return code in _REGISTRY


def all_events(*, audience: str | None = None) -> list[EventType]:
    """Registered events sorted by code (stable order for settings pages)."""
    events = sorted(_REGISTRY.values(), key=lambda e: e.code)
    if audience is not None:
        events = [e for e in events if e.audience == audience]
    return events


# Events this app sends itself.
CUSTOM_MESSAGE = "messaging.custom"
STAFF_NOTIFICATION = "staff.notification"
TEST_MESSAGE = "messaging.test"

register_event(
    CUSTOM_MESSAGE,
    label=_("Custom message"),
    variables=[("text", _("Message text")), ("client.first_name", _("Client's first name"))],
    defaults={"sms": "{text}", "email": "{text}", "telegram": "{text}", "viber": "{text}"},
)
register_event(
    TEST_MESSAGE,
    label=_("Test message"),
    variables=[
        ("client.name", _("Client's full name")),
        ("client.first_name", _("Client's first name")),
        ("organization.name", _("Organization name")),
    ],
    defaults={
        "sms": _("{client.first_name}, this is a test message from {organization.name}."),
        "email": _(
            "Hello {client.first_name}!\n\nThis is a test message from {organization.name}."
        ),
    },
    subject=_("Test message from {organization.name}"),
)
register_event(
    STAFF_NOTIFICATION,
    label=_("Staff notification"),
    variables=[("title", _("Title")), ("body", _("Text")), ("url", _("Link"))],
    defaults={"telegram": "{title}\n{body}\n{url}"},
    audience="staff",
)
