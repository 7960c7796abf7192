"""The client card's tabs and action buttons, filled by other apps by URL name.

Each tab is loaded by htmx from `reverse(url_name, kwargs={"client_id": id})`; a tab or
action whose URL name is not installed (yet) is simply not shown, so apps land
independently. Agreed names are in the cross-app contracts.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CLIENT_CARD_TABS: list[tuple[str, str | Promise, str]] = [
    ("overview", _("Overview"), "clients:client_overview"),
    ("visits", _("Visits"), "schedule:client_visits"),
    ("payments", _("Payments"), "ledger:client_entries"),
    ("memberships", _("Memberships"), "memberships:client_memberships"),
    ("messages", _("Messages"), "messaging:client_messages"),
    ("history", _("History"), "clients:client_history"),
]

CLIENT_CARD_ACTIONS: list[tuple[str | Promise, str, str]] = [
    (_("Add entry"), "plus-slash-minus", "ledger:client_entry_new"),
    (_("Sell membership"), "card-checklist", "memberships:sell"),
    (_("Top-up link"), "credit-card", "payments:client_topup"),
]


def _url(url_name: str, client_id: int) -> str | None:
    try:
        return reverse(url_name, kwargs={"client_id": client_id})
    except NoReverseMatch:
        return None


def card_tabs(client_id: int) -> list[dict]:
    tabs = []
    for key, label, url_name in CLIENT_CARD_TABS:
        url = _url(url_name, client_id)
        if url is not None:
            tabs.append({"key": key, "label": label, "url": url})
    return tabs


def card_actions(client_id: int) -> list[dict]:
    actions = []
    for label, icon, url_name in CLIENT_CARD_ACTIONS:
        url = _url(url_name, client_id)
        if url is not None:
            actions.append({"label": label, "icon": icon, "url": url})
    return actions
