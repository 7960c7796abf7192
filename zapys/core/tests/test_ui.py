"""The staff interface is assembled from what each app declares in its ui.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from zapys.clients.card import card_actions, card_tabs
from zapys.core.navigation import navigation_for, section_tabs
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
        "Payments",
        "Till",
        "Reports",
        "Memberships",
        "Services",
        "Messages",
        "Broadcasts",
        "Settings",
        "Staff",
        "Audit log",
    ]
    specialist = [i["url"] for i in navigation_for("specialist", "/")]
    assert reverse("ledger:operations") not in specialist
    assert reverse("schedule:calendar") in specialist


def test_settings_tabs_and_card_entries_come_from_their_apps(org):
    # the tabs of the apps this test knows, in their order (a new app's tab may stand between)
    known = [
        "organization",
        "staff",
        "staff_hours",
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
    assert [t["key"] for t in settings_tabs() if t["key"] in known] == known
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
        reverse("schedule:client_book", kwargs={"client_id": 7}),
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


@pytest.mark.parametrize(
    ("role", "path", "highlighted"),
    [
        ("owner", "/", "core:dashboard"),
        ("owner", "/settings/organization/", "accounts:settings"),
        ("owner", "/settings/schedule/", "accounts:settings"),
        ("owner", "/settings/messaging/", "accounts:settings"),
        ("owner", "/settings/messaging/templates/", "accounts:settings"),
        ("owner", "/settings/payment-accounts/", "accounts:settings"),
        ("owner", "/settings/cash-registers/", "accounts:settings"),
        ("owner", "/settings/finance/", "accounts:settings"),
        ("owner", "/settings/invoices/", "accounts:settings"),
        ("owner", "/settings/online-sales/", "accounts:settings"),
        ("owner", "/settings/prepayment/", "accounts:settings"),
        ("owner", "/settings/broadcasts/", "accounts:settings"),
        ("owner", "/settings/staff/4/", "accounts:staff"),
        # a branch is the settings' (it was Staff: a branch is not a person)
        ("owner", "/settings/branches/new/", "accounts:settings"),
        ("owner", "/settings/branches/2/", "accounts:settings"),
        ("owner", "/visits/52/", "schedule:calendar"),
        # the staff's (it was a tab of the catalogue, issue 17 fifth tour)
        ("owner", "/staff-hours/", "accounts:staff"),
        ("owner", "/staff-hours/4/", "accounts:staff"),
        ("owner", "/finance/invoices/6/", "invoices:list"),
        # a group's pages highlight the group's one entry, which opens its first page
        ("owner", "/finance/invoice-rules/1/edit/", "invoices:list"),
        ("owner", "/payments/17/", "ledger:payments_report"),
        ("owner", "/fiscal-receipts/", "ledger:day_sales"),
        # an administrator may not open a branch (owner only): the one item of its app
        ("administrator", "/settings/branches/2/", "accounts:staff"),
    ],
)
def test_the_menu_highlights_the_section_of_the_page(role, path, highlighted):
    active = [item["url"] for item in navigation_for(role, path) if item["active"]]
    assert active == [reverse(highlighted)]


@pytest.mark.parametrize(
    "path", ["/settings/schedule/", "/account/password/", "/nowhere/", "/notifications/"]
)
def test_the_menu_highlights_nothing_outside_the_sections_a_role_sees(path):
    # An administrator has no "Settings" item; a page of no item's section highlights none.
    role = "administrator" if path.startswith("/settings/") else "owner"
    assert not [item for item in navigation_for(role, path) if item["active"]]


@pytest.mark.parametrize(
    ("path", "tabs", "current"),
    [
        ("/finance/invoices/", ["invoices:list", "invoices:rules"], "invoices:list"),
        ("/finance/invoice-rules/1/edit/", ["invoices:list", "invoices:rules"], "invoices:rules"),
        (
            "/finance/payments/",
            ["ledger:payments_report", "payments:list"],
            "ledger:payments_report",
        ),
        ("/payments/17/", ["ledger:payments_report", "payments:list"], "payments:list"),
        (
            "/fiscal-receipts/",
            ["ledger:day_sales", "ledger:operations", "fiscal:receipts"],
            "fiscal:receipts",
        ),
    ],
)
def test_a_groups_pages_show_its_items_as_tabs(path, tabs, current):
    entries = navigation_for("owner", path)
    shown = section_tabs(entries)
    assert [tab["url"] for tab in shown] == [reverse(name) for name in tabs]
    assert [tab["url"] for tab in shown if tab["active"]] == [reverse(current)]
    # none of the group's pages is an entry of its own
    entry_urls = [entry["url"] for entry in entries]
    assert [reverse(name) for name in tabs if reverse(name) in entry_urls] == [reverse(tabs[0])]


@pytest.mark.parametrize("path", ["/", "/clients/", "/settings/schedule/", "/reports/"])
def test_a_page_outside_any_group_shows_no_tabs(path):
    assert section_tabs(navigation_for("owner", path)) == []


def test_a_group_with_one_item_a_role_sees_is_an_entry_without_tabs():
    """A group whose other items the role can't open (or that aren't installed) offers no
    choice: one entry opening the item it can, and no tab strip."""
    from zapys.core.ui import NavGroup

    group = NavGroup("solo", "Solo group", "star")
    password, search = reverse("accounts:password_change"), reverse("core:search")
    nav_item(
        NavItem("accounts:password_change", "Password", "key", ("owner",), order=905, group=group)
    )
    nav_item(NavItem("core:search", "Search", "search", order=906, group=group))
    nav_item(NavItem("core:missing_page", "Missing", "x", order=907, group=group))
    try:
        owner_entries = navigation_for("owner", search)
        specialist_entries = navigation_for("specialist", search)
    finally:
        for name in ("accounts:password_change", "core:search", "core:missing_page"):
            NAVIGATION.withdraw(name)
    owner_group = [e for e in owner_entries if e["label"] == "Solo group"]
    assert [(e["url"], e["active"]) for e in owner_group] == [(password, True)]
    assert [(t["url"], t["active"]) for t in section_tabs(owner_entries)] == [
        (password, False),
        (search, True),
    ]
    specialist_group = [e for e in specialist_entries if e["label"] == "Solo group"]
    assert [(e["url"], e["active"], len(e["tabs"])) for e in specialist_group] == [
        (search, True, 1)
    ]
    assert section_tabs(specialist_entries) == []
