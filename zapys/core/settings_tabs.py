"""Tabs of the settings section: the ones the apps declare in their `ui.py` (see `core.ui`);
a tab whose URL is not installed is hidden.

Twelve tabs in one row wrapped to two rows at 1366 px (issue 17, fifth tour), so the owner's
settings pages show them as a menu beside the page, in groups (as Altegio and Fresha do):
what the business is, its money, what it tells its clients. `settings_menu` answers that
menu for the page at a path; base.html draws it around the page. `settings_section` names the
page's section, its heading and browser title («Передоплата», not «Налаштування» on every
page: the menu already says these are the settings)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from zapys.core.ui import SETTINGS_TABS, Label, SettingsTab

SETTINGS_GROUPS: tuple[tuple[str, Label], ...] = (
    ("business", _("Business")),
    ("money", _("Money")),
    ("messages", _("Messages to clients")),
    ("other", _("Other")),
)

# The group of a tab that does not name one (`SettingsTab.group`): the tabs the apps declared
# before the settings had groups.
_GROUP_OF = {
    "organization": "business",
    "staff": "business",
    "staff_hours": "business",
    "schedule": "business",
    "payment_accounts": "money",
    "prepayment": "money",
    "cash_registers": "money",
    "invoices": "money",
    "online_sales": "money",
    "finance": "money",
    "messaging": "messages",
    "visit_messages": "messages",
    "templates": "messages",
    "broadcasts": "messages",
}


def group_of(tab: SettingsTab) -> str:
    return tab.group or _GROUP_OF.get(tab.key, "other")


def settings_tabs() -> list[dict]:
    tabs = []
    for tab in SETTINGS_TABS:
        try:
            url = reverse(tab.url_name)
        except NoReverseMatch:
            continue
        tabs.append(
            {
                "key": tab.key,
                "url": url,
                "label": tab.label,
                "group": group_of(tab),
                "also_under": tab.also_under,
            }
        )
    return tabs


def active_tab(path: str, tabs: list[dict]) -> str | None:
    """The key of the tab the page at `path` belongs to: the tab whose URL (or one of its
    `also_under` prefixes) is the longest start of the path; None off the settings."""
    best, best_length = None, 0
    for tab in tabs:
        for prefix in (tab["url"], *tab["also_under"]):
            if path.startswith(prefix) and len(prefix) > best_length:
                best, best_length = tab["key"], len(prefix)
    return best


def settings_menu(path: str) -> list[dict]:
    """The settings menu for the page at `path`, as groups of tabs
    ({"key", "label", "tabs": [{"key", "url", "label", "active"}]}), the page's tab active;
    empty when the page is not one of the settings."""
    tabs = settings_tabs()
    active = active_tab(path, tabs)
    if active is None:
        return []
    groups = []
    for key, label in SETTINGS_GROUPS:
        items = [dict(t, active=t["key"] == active) for t in tabs if t["group"] == key]
        if items:
            groups.append({"key": key, "label": label, "tabs": items})
    return groups


def settings_section(path: str) -> Label | None:
    """The name of the settings section the page at `path` belongs to (its tab's label, as the
    menu says it), or None off the settings. For everyone who may open a settings page, not
    only the owner who sees the menu."""
    tabs = settings_tabs()
    active = active_tab(path, tabs)
    return next((t["label"] for t in tabs if t["key"] == active), None)
