"""The client card's tabs and action buttons: the ones the apps declare in their `ui.py`
(see `core.ui`).

Each tab is loaded by htmx from `reverse(url_name, kwargs={"client_id": id})`; a tab or
action whose URL name is not installed is simply not shown.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from zapys.core.ui import CLIENT_CARD_ACTIONS, CLIENT_CARD_TABS


def _url(url_name: str, client_id: int) -> str | None:
    try:
        return reverse(url_name, kwargs={"client_id": client_id})
    except NoReverseMatch:
        return None


def card_tabs(client_id: int) -> list[dict]:
    tabs = []
    for tab in CLIENT_CARD_TABS:
        url = _url(tab.url_name, client_id)
        if url is not None:
            tabs.append({"key": tab.key, "label": tab.label, "url": url})
    return tabs


def card_actions(client_id: int) -> list[dict]:
    actions = []
    for action in CLIENT_CARD_ACTIONS:
        url = _url(action.url_name, client_id)
        if url is not None:
            actions.append({"label": action.label, "icon": action.icon, "url": url})
    return actions
