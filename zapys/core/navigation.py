"""The staff navigation: the menu items the apps declare in their `ui.py` (see `core.ui`).
Items whose URL is not installed are skipped; roles limit who sees an item (the views check
permissions too).

One item is highlighted: the section the current page belongs to, not only the page the item
opens (a visit's page is the calendar's, every settings tab is "Settings")."""

from __future__ import annotations

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from zapys.core.settings_tabs import settings_tabs
from zapys.core.ui import NAVIGATION, NavItem


def navigation_for(role: str, current_path: str) -> list[dict]:
    visible: list[tuple[NavItem, str]] = []
    for item in NAVIGATION:
        if role not in item.roles:
            continue
        try:
            visible.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    active_url = _section_of(visible, current_path)
    return [
        {
            "url": url,
            "label": item.label,
            "icon": item.icon,
            "active": url == active_url,
            "section": item.section,
        }
        for item, url in visible
    ]


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
    same_app = [url for item, url in visible if item.url_name.split(":")[0] == namespace]
    return same_app[0] if len(same_app) == 1 else None
