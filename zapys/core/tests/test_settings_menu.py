"""The settings are a menu beside the page, in groups (issue 17, fifth tour: twelve tabs
wrapped to two rows at 1366 px, four with the prepayment's own tabs). The staff's pages are
one place with their working hours (they were a tab of the services)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import make_staff
from tests.pages import staff_page
from zapys.accounts.models import User
from zapys.core.settings_tabs import settings_menu

pytestmark = pytest.mark.django_db


def _menu_links(page: str) -> list[str]:
    return re.findall(r'data-testid="settings-tab-([a-z_]+)"', page)


def _active_tabs(page: str) -> list[str]:
    return re.findall(
        r'class="nav-link text-nowrap active"[^>]*data-testid="settings-tab-(\w+)"', page
    )


def test_the_menu_groups_the_tabs_and_marks_the_page(org):
    with translation.override("uk"):
        menu = settings_menu(reverse("prepayments:settings"))
        labels = [str(g["label"]) for g in menu]
    assert labels[:3] == ["Заклад", "Гроші", "Повідомлення клієнтам"]
    business, money, messages = ([t["key"] for t in g["tabs"]] for g in menu[:3])
    assert business[:4] == ["organization", "staff", "staff_hours", "schedule"]
    assert "prepayment" in money and "finance" in money
    assert {"messaging", "templates", "broadcasts"} <= set(messages)
    active = [t["key"] for g in menu for t in g["tabs"] if t["active"]]
    assert active == ["prepayment"]
    # a branch's page is the staff and branches' tab; a page off the settings has no menu
    branch_menu = settings_menu("/settings/branches/3/")
    assert [t["key"] for g in branch_menu for t in g["tabs"] if t["active"]] == ["staff"]
    assert settings_menu(reverse("clients:list")) == []


@pytest.mark.parametrize("name", ["accounts:staff", "accounts:staff_new", "schedule:staff_hours"])
def test_the_owner_sees_the_settings_frame_on_every_staff_page(staff_client, owner, name):
    page = staff_page(staff_client, owner, "uk", name)
    assert page.count('data-testid="settings-tabs"') == 1
    assert "zapys-settings-page" in page
    assert _active_tabs(page) == ["staff_hours" if name == "schedule:staff_hours" else "staff"]


def test_a_staff_members_page_is_in_the_frame_too(staff_client, owner):
    page = staff_page(staff_client, owner, "en", "accounts:staff_edit", owner.pk)
    assert _active_tabs(page) == ["staff"]
    assert "Staff and branches" in page


def test_the_prepayments_own_pages_are_listed_under_its_tab(staff_client, owner):
    page = staff_page(staff_client, owner, "uk", "prepayments:settings")
    menu = page[page.index('data-testid="settings-tabs"') : page.index("zapys-settings-page")]
    assert 'data-testid="prepayment-tabs"' in menu
    assert menu.index('settings-tab-prepayment"') < menu.index('data-testid="prepayment-tabs"')
    assert menu.index('data-testid="prepayment-tabs"') < menu.index('settings-tab-finance"')


def test_an_administrator_sees_staff_and_hours_as_tabs_not_the_settings(client, org, branch):
    admin = make_staff(org, User.Role.ADMINISTRATOR, username="admin-a", branches=[branch])
    client.force_login(admin)
    for name in ("accounts:staff", "schedule:staff_hours"):
        page = staff_page(client, admin, "uk", name)
        assert 'data-testid="settings-tabs"' not in page
        tabs = page[page.index('data-testid="section-tabs"') :].split("</nav>")[0]
        assert "Персонал і філії" in tabs and "Робочі години" in tabs
        # the menu highlights Staff (it was Services: the hours were a tab of the catalogue)
        highlighted = set(re.findall(r'<a href="([^"]+)" class="nav-link active">', page))
        assert highlighted == {reverse("accounts:staff")}


def test_the_services_no_longer_list_working_hours(staff_client, owner):
    page = staff_page(staff_client, owner, "uk", "catalog:services")
    assert reverse("schedule:staff_hours") not in page.split('id="main"')[1].split("</nav>")[0]
    assert "Робочі години" not in page.split('id="main"')[1]
