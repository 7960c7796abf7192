"""Tabs of the settings section: the ones the apps declare in their `ui.py` (see `core.ui`);
a tab whose URL is not installed is hidden."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from zapys.core.ui import SETTINGS_TABS


def settings_tabs() -> list[dict]:
    tabs = []
    for tab in SETTINGS_TABS:
        try:
            tabs.append({"key": tab.key, "url": reverse(tab.url_name), "label": tab.label})
        except NoReverseMatch:
            continue
    return tabs
