"""The staff navigation: the menu items the apps declare in their `ui.py` (see `core.ui`).
Items whose URL is not installed are skipped; roles limit who sees an item (the views check
permissions too)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from zapys.core.ui import NAVIGATION


def navigation_for(role: str, current_path: str) -> list[dict]:
    items = []
    for item in NAVIGATION:
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append(
            {
                "url": url,
                "label": item.label,
                "icon": item.icon,
                "active": active,
                "section": item.section,
            }
        )
    return items
