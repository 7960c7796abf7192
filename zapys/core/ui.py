"""What each app adds to the staff interface, declared by the app itself.

An app's `ui.py` (found like `jobs.py`) declares its menu items, settings tabs and client-card
tabs and actions::

    nav_item(NavItem("ledger:operations", _("Cash & operations"), "wallet2", order=70,
                     roles=MANAGERS, section=MONEY))
    settings_tab(SettingsTab("finance", "ledger:settings", _("Finance"), order=80))

and what the header's search box opens (`search_target`), so a new app appears by adding its
own file, without editing core or the clients app. `order`
places an entry among the others' (the numbers leave room between apps). An entry whose URL
is not installed is not shown; roles limit who sees a menu item (the views check permissions
too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

Label = str | Promise

EVERYONE = ("owner", "administrator", "specialist")
MANAGERS = ("owner", "administrator")
MONEY: Label = _("Money")
CATALOGUE: Label = _("Catalogue")
MESSAGES: Label = _("Messages")
ADMINISTRATION: Label = _("Administration")


@dataclass(frozen=True)
class NavGroup:
    """One menu entry for pages a person thinks of as one place (the invoices and their
    automatic rules; the day's sales, the till and the fiscal receipts). The menu shows the
    group once, where its first item would be, opening that item; every page of the group
    shows its items as tabs. Eleven entries under "Money" read as eleven different places."""

    key: str
    label: Label
    icon: str


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Label
    icon: str
    roles: tuple[str, ...] = EVERYONE
    section: Label = ""
    order: int = 500
    # Paths of pages outside the item's URL that belong to its section (highlight it there).
    also_under: tuple[str, ...] = ()
    # Paths of the app's own pages that are in no section (reached from the top bar, like
    # the notifications behind the bell): the menu highlights nothing there.
    not_under: tuple[str, ...] = ()
    # Shown as a tab of this group's entry, not as an entry of its own.
    group: NavGroup | None = None
    # False: the pages of its URL's app in no item's section are not this item's (the
    # schedule's working hours are the staff's; a visit's page is still the calendar's).
    claims_app: bool = True

    @property
    def key(self) -> str:
        return self.url_name


@dataclass(frozen=True)
class SettingsTab:
    key: str
    url_name: str
    label: Label
    order: int = 500
    # The group of the settings menu it is listed in (`core.settings_tabs.SETTINGS_GROUPS`:
    # "business", "money", "messages"); empty: the one core knows it by, else "other".
    group: str = ""
    # Paths of pages outside the tab's URL that are its pages (a branch's page is the staff
    # and branches' tab).
    also_under: tuple[str, ...] = ()


@dataclass(frozen=True)
class CardTab:
    """A tab of the client card, loaded by htmx from `reverse(url_name, client_id=...)`."""

    key: str
    label: Label
    url_name: str
    order: int = 500


@dataclass(frozen=True)
class CardAction:
    """A button on the client card, linking to `reverse(url_name, client_id=...)`."""

    label: Label
    icon: str
    url_name: str
    order: int = 500

    @property
    def key(self) -> str:
        return self.url_name


@dataclass(frozen=True)
class AuditAction:
    """How the audit log names an action key its app writes ("payment.refunded")."""

    key: str
    label: Label
    order: int = 0


@dataclass(frozen=True)
class AuditField:
    """A label for a key of an audit row's changes that is not a model field (a reason, a
    count), for one kind of object ("clients.client") or for every kind (empty)."""

    object_type: str
    name: str
    label: Label
    order: int = 0
    #: The value is an amount in kopecks: shown as money ("60,00 грн", never "6000").
    money: bool = False
    #: The value's unit depends on another field of the object (a booking type's `value` is
    #: kopecks for a fixed sum, a percent otherwise): that field's name, and its values'
    #: units as ((field value, "money" | "percent"), ...).
    unit_of: str = ""
    units: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return audit_field_key(self.object_type, self.name)


@dataclass(frozen=True)
class AuditValues:
    """How the audit log names the stored values of a change key that are codes without
    choices on a model field ("sms", "waitlist.booked", "console"): `label(value)` answers
    the value's name in the current language ("SMS", "Waiting list: booked", "Test mode"),
    for one kind of object ("payments.payment") or for every kind (empty). Declared apart
    from the key's label, so an app names the values of a key core labels ("channel")."""

    object_type: str
    name: str
    label: Callable[[str], str]
    order: int = 0
    #: What an empty value means, when it is a choice of its own (a channel "" is the form's
    #: "Automatic"); None: empty reads as nothing ("—").
    empty: Label | None = None

    @property
    def key(self) -> str:
        return audit_field_key(self.object_type, self.name)


@dataclass(frozen=True)
class SearchTarget:
    """What the header's search box can open besides the clients list: `resolve(request,
    text)` answers the URL of the page the text names (an online purchase's activation code,
    typed or scanned), or None to let the next target try. The clients list answers what
    no target claims (`core.views.search`)."""

    key: str
    resolve: Callable[[HttpRequest, str], str | None]
    roles: tuple[str, ...] = EVERYONE
    order: int = 500


def audit_field_key(object_type: str, name: str) -> str:
    return f"{object_type}:{name}"


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


T = TypeVar("T", bound=_Keyed)

_discovered = False


def ui_discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("ui")
        _discovered = True


class Declared(Generic[T]):
    """Entries of one kind, by key; iterated in `order`."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: dict[str, T] = {}

    def declare(self, item: T) -> T:
        known = self._items.get(item.key)
        if known is not None and known != item:
            raise ValueError(f"{self.what} {item.key!r} is declared twice")
        self._items[item.key] = item
        return item

    def withdraw(self, key: str) -> None:
        """Forget an entry (tests that declare one of their own)."""
        self._items.pop(key, None)

    def get(self, key: str) -> T | None:
        ui_discover()
        return self._items.get(key)

    def __iter__(self) -> Iterator[T]:
        ui_discover()
        return iter(sorted(self._items.values(), key=lambda item: (item.order, item.key)))


NAVIGATION: Declared[NavItem] = Declared("Menu item")
SETTINGS_TABS: Declared[SettingsTab] = Declared("Settings tab")
CLIENT_CARD_TABS: Declared[CardTab] = Declared("Client card tab")
CLIENT_CARD_ACTIONS: Declared[CardAction] = Declared("Client card action")

SEARCH_TARGETS: Declared[SearchTarget] = Declared("Search target")

AUDIT_ACTIONS: Declared[AuditAction] = Declared("Audit action")
AUDIT_FIELDS: Declared[AuditField] = Declared("Audit field")
AUDIT_VALUES: Declared[AuditValues] = Declared("Audit values")

nav_item = NAVIGATION.declare
settings_tab = SETTINGS_TABS.declare
client_card_tab = CLIENT_CARD_TABS.declare
client_card_action = CLIENT_CARD_ACTIONS.declare
search_target = SEARCH_TARGETS.declare


def audit_actions(labels: dict[str, Label]) -> None:
    """Declare how the audit log names the actions an app writes: {"key": _("Label")}."""
    for key, label in labels.items():
        AUDIT_ACTIONS.declare(AuditAction(key, label))


def audit_fields(
    object_type: str,
    labels: dict[str, Label],
    *,
    money: bool = False,
    unit_of: str = "",
    units: dict[str, str] | None = None,
) -> None:
    """Labels for change keys that are not fields of the object's model ("" = any object);
    `money=True` for keys whose values are amounts in kopecks. A key whose unit depends on
    another field of the object names it: `unit_of="rule", units={"fixed": "money",
    "percent": "percent"}` (read from the row's changes, else from the object)."""
    pairs = tuple(sorted((units or {}).items()))
    if any(unit not in ("money", "percent") for _key, unit in pairs):
        raise ValueError(f"Audit field units are money or percent, not {units!r}")
    for name, label in labels.items():
        AUDIT_FIELDS.declare(
            AuditField(object_type, name, label, money=money, unit_of=unit_of, units=pairs)
        )


def audit_values(
    object_type: str, name: str, label: Callable[[str], str], *, empty: Label | None = None
) -> None:
    """How the audit log names the values of change key `name` of `object_type` ("" = any
    object): `label(value)`, e.g. `audit_values("", "channel", channel_label)`. For codes a
    model field has no choices for; a field's choices need no declaration. `empty`: the
    words for an empty value that is a choice on the form ("Automatic"), not "—"."""
    AUDIT_VALUES.declare(AuditValues(object_type, name, label, empty=empty))


# The groups of the money section, shared by the apps whose pages they gather.
INVOICING = NavGroup("invoicing", _("Invoices"), "receipt-cutoff")
# «Оплати»: the first word of the page it opens, «Оплати та нарахування» (the whole name
# wraps in the menu); it said «Платежі», a third name for the same page (tour 6, #12).
PAYMENTS = NavGroup("payments", pgettext_lazy("menu", "Payments"), "cash-stack")
TILL = NavGroup("till", _("Till"), "wallet2")

# Core's own entries: the first and the last of the menu.
nav_item(NavItem("core:dashboard", _("Dashboard"), "speedometer2", order=10))
nav_item(NavItem("core:audit", _("Audit log"), "journal-text", ("owner",), ADMINISTRATION, 900))


# How the audit log names core's own actions and the change keys many apps write.
audit_actions(
    {
        "calendar_schedule.set": _("Schedule set"),
        "calendar_schedule.pause": _("Schedule paused"),
    }
)
audit_fields(
    "",
    {
        "reason": _("Reason"),
        "count": _("How many"),
        "days": _("Days"),
        "date_from": _("From"),
        "date_to": _("To"),
        "client_ids": _("Clients"),
        "member_ids": _("Members"),
        "memberships_extended": _("Memberships extended"),
        "refund": _("Refund to the card"),
        "credentials": _("Credentials"),
        "hours": _("Working hours"),
        "rows": _("Rows"),
        "tags": _("Tags"),
        "channel": _("Channel"),
        "message_id": _("Message"),
    },
)
# The change key `core.calendar_work.calendar_schedule_set` writes.
audit_fields("core.calendarschedule", {"rule": _("When it runs")})
