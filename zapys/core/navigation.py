"""The staff navigation: the menu items the apps declare in their `ui.py` (see `core.ui`).
Items whose URL is not installed are skipped; roles limit who sees an item (the views check
permissions too).

One item is highlighted: the section the current page belongs to, not only the page the item
opens (a visit's page is the calendar's, every settings tab is "Settings"). Items of a group
(`core.ui.NavGroup`) are one entry, and the group's pages show them as tabs."""

from __future__ import annotations

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from zapys.core.settings_tabs import settings_tabs
from zapys.core.ui import NAVIGATION, NavItem


def navigation_for(role: str, current_path: str) -> list[dict]:
    """The menu's entries for `role`, in order. An entry of a group (`NavItem.group`) stands
    where the group's first visible item would, opens that item, and carries the group's
    items as `tabs`; an entry of one item has no tabs."""
    visible: list[tuple[NavItem, str]] = []
    for item in NAVIGATION:
        if role not in item.roles:
            continue
        try:
            visible.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    active_url = _section_of(visible, current_path)
    entries: list[dict] = []
    by_group: dict[str, dict] = {}
    for item, url in visible:
        tab = {"url": url, "label": item.label, "active": url == active_url}
        if item.group is not None and item.group.key in by_group:
            entry = by_group[item.group.key]
            entry["tabs"].append(tab)
            entry["active"] = entry["active"] or tab["active"]
            continue
        label, icon = (item.group.label, item.group.icon) if item.group else (item.label, item.icon)
        entry = {
            "url": url,
            "label": label,
            "icon": icon,
            "active": tab["active"],
            "section": item.section,
            "tabs": [tab] if item.group else [],
        }
        if item.group is not None:
            by_group[item.group.key] = entry
        entries.append(entry)
    return entries


def section_tabs(entries: list[dict]) -> list[dict]:
    """The tabs to show on the current page: its group's, when the group has more than one
    item this role sees (one tab alone is no choice)."""
    for entry in entries:
        if entry["active"] and len(entry["tabs"]) > 1:
            return entry["tabs"]
    return []


def _section_of(visible: list[tuple[NavItem, str]], path: str) -> str | None:
    """The URL of the menu item whose section `path` is in: the item whose URL (or one of its
    `also_under` prefixes) is the longest start of the path; else, on a settings tab, the item
    that opens the settings; else the only item of the page's app (a visit → the calendar)."""
    best, best_length = None, 0
    for item, url in visible:
        for prefix in (url, *item.also_under):
            matches = path == prefix if prefix == "/" else path.startswith(prefix)
            if matches and len(prefix) > best_length:
                best, best_length = url, len(prefix)
    if best is not None:
        return best
    visible_urls = {url for _item, url in visible}
    tab_urls = [tab["url"] for tab in settings_tabs()]
    if any(path.startswith(u) for u in tab_urls):
        # Not the app's own menu item: a tab of the settings (an administrator sees none).
        return tab_urls[0] if tab_urls[0] in visible_urls else None
    try:
        namespace = resolve(path).namespace
    except Resolver404:
        return None
    if any(path.startswith(prefix) for item, _url in visible for prefix in item.not_under):
        return None
    same_app = [
        url for item, url in visible if item.claims_app and item.url_name.split(":")[0] == namespace
    ]
    return same_app[0] if len(same_app) == 1 else None
