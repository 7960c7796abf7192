"""The staff interface is assembled from what each app declares in its ui.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from zapys.clients.card import card_actions, card_tabs
from zapys.core.navigation import navigation_for
from zapys.core.settings_tabs import settings_tabs
from zapys.core.ui import NAVIGATION, NavItem, nav_item

pytestmark = pytest.mark.django_db


def test_the_menu_keeps_its_order_across_apps():
    with translation.override("en"):
        labels = [str(item["label"]) for item in navigation_for("owner", "/")]
    assert labels == [
        "Dashboard",
        "Calendar",
        "Waiting list",
        "Clients",
        "Prepayments",
        "Invoices",
        "Online sales",
        "Automatic invoicing",
        "Payments",
        "Fiscal receipts",
        "Sales of the day",
        "Cash & operations",
        "Online payments",
        "Reports",
        "Memberships",
        "Services",
        "Messages",
        "Broadcasts",
        "Settings",
        "Staff",
        "API keys",
        "Audit log",
    ]
    specialist = [i["url"] for i in navigation_for("specialist", "/")]
    assert reverse("ledger:operations") not in specialist
    assert reverse("schedule:calendar") in specialist


def test_settings_tabs_and_card_entries_come_from_their_apps(org):
    assert [t["key"] for t in settings_tabs()] == [
        "organization",
        "staff",
        "payment_accounts",
        "prepayment",
        "cash_registers",
        "invoices",
        "online_sales",
        "messaging",
        "templates",
        "broadcasts",
        "schedule",
        "finance",
    ]
    assert [t["key"] for t in card_tabs(1)] == [
        "overview",
        "visits",
        "payments",
        "invoices",
        "memberships",
        "messages",
        "history",
    ]
    assert [a["url"] for a in card_actions(7)] == [
        reverse("ledger:client_entry_new", kwargs={"client_id": 7}),
        reverse("invoices:new", kwargs={"client_id": 7}),
        reverse("memberships:sell", kwargs={"client_id": 7}),
        reverse("topups:client_topup", kwargs={"client_id": 7}),
        reverse("waitlist:client", kwargs={"client_id": 7}),
    ]


def test_a_new_app_adds_itself_and_a_clash_is_refused():
    item = nav_item(NavItem("core:audit_export", "Export", "download", order=55))
    try:
        assert item in list(NAVIGATION)
        with pytest.raises(ValueError):
            nav_item(NavItem("core:audit_export", "Another", "x", order=1))
    finally:
        NAVIGATION.withdraw("core:audit_export")
    assert item not in list(NAVIGATION)
