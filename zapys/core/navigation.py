"""The staff navigation. Items whose URL is not installed yet are skipped, so apps can
land independently; roles limit who sees an item (the views check permissions too)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    icon: str
    roles: tuple[str, ...] = ("owner", "administrator", "specialist")
    section: str | Promise = ""


NAVIGATION = [
    NavItem("core:dashboard", _("Dashboard"), "speedometer2"),
    NavItem("schedule:calendar", _("Calendar"), "calendar3"),
    NavItem("clients:list", _("Clients"), "people"),
    NavItem("prepayments:bookings", _("Prepayments"), "clock-history", section=_("Money")),
    NavItem(
        "ledger:payments_report", _("Payments"), "cash-coin", ("owner", "administrator"), _("Money")
    ),
    NavItem(
        "ledger:day_sales", _("Sales of the day"), "receipt", ("owner", "administrator"), _("Money")
    ),
    NavItem(
        "ledger:operations",
        _("Cash & operations"),
        "wallet2",
        ("owner", "administrator"),
        _("Money"),
    ),
    NavItem(
        "payments:list", _("Online payments"), "credit-card", ("owner", "administrator"), _("Money")
    ),
    NavItem("memberships:plans", _("Memberships"), "card-checklist", section=_("Catalogue")),
    NavItem("catalog:services", _("Services"), "scissors", section=_("Catalogue")),
    NavItem(
        "messaging:outbox", _("Messages"), "chat-dots", ("owner", "administrator"), _("Messages")
    ),
    NavItem("accounts:settings", _("Settings"), "gear", ("owner",), _("Administration")),
    NavItem(
        "accounts:staff",
        _("Staff"),
        "person-badge",
        ("owner", "administrator"),
        _("Administration"),
    ),
    NavItem("accounts:api_keys", _("API keys"), "key", section=_("Administration")),
    NavItem("core:audit", _("Audit log"), "journal-text", ("owner",), _("Administration")),
]


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
