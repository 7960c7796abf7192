"""Tabs of the settings section; apps add theirs here by URL name (missing ones are hidden)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

SETTINGS_TABS = [
    ("organization", "accounts:settings", _("Organization")),
    ("staff", "accounts:staff", _("Staff and branches")),
    ("payment_accounts", "payments:accounts", _("Payment accounts")),
    ("prepayment", "prepayments:settings", _("Prepayment")),
    ("messaging", "messaging:settings", _("Messages")),
    ("templates", "messaging:templates", _("Message templates")),
    ("schedule", "schedule:settings", _("Schedule")),
    ("finance", "ledger:settings", _("Finance")),
]


def settings_tabs() -> list[dict]:
    tabs = []
    for key, url_name, label in SETTINGS_TABS:
        try:
            tabs.append({"key": key, "url": reverse(url_name), "label": label})
        except NoReverseMatch:
            continue
    return tabs
