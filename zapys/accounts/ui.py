"""What organizations, staff and API keys adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    ADMINISTRATION,
    MANAGERS,
    NavGroup,
    NavItem,
    SettingsTab,
    audit_actions,
    nav_item,
    settings_tab,
)

# A branch's page is a page of the settings (only the owner opens it, from the "Staff and
# branches" tab): the menu highlights Settings there, not Staff — a branch is not a person.
nav_item(
    NavItem(
        "accounts:settings",
        _("Settings"),
        "gear",
        ("owner",),
        ADMINISTRATION,
        120,
        also_under=("/settings/branches/",),
    )
)
# The people and when they work are one place, "Staff": its pages show the two as tabs.
# The working hours' pages are the schedule's (it reads them), but they are about people,
# not about the services they were listed with before (issue 17, fifth tour).
STAFF = NavGroup("staff", _("Staff"), "person-badge")
nav_item(
    NavItem(
        "accounts:staff",
        _("Staff and branches"),
        "person-badge",
        MANAGERS,
        ADMINISTRATION,
        130,
        group=STAFF,
    )
)
nav_item(
    NavItem(
        "schedule:staff_hours",
        _("Working hours"),
        "clock",
        MANAGERS,
        ADMINISTRATION,
        131,
        group=STAFF,
        claims_app=False,
    )
)
# API keys are each person's own: the user menu opens them (base.html), not the menu.
settings_tab(SettingsTab("organization", "accounts:settings", _("Organization"), order=10))
settings_tab(
    SettingsTab(
        "staff",
        "accounts:staff",
        _("Staff and branches"),
        order=20,
        also_under=("/settings/branches/",),
    )
)
settings_tab(SettingsTab("staff_hours", "schedule:staff_hours", _("Working hours"), order=25))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "organization.create": _("Organization created"),
        "organization.update": _("Organization settings changed"),
        "branch.create": _("Branch added"),
        "branch.update": _("Branch changed"),
        "staff.create": _("Staff member added"),
        "staff.update": _("Staff member changed"),
        "apikey.create": _("API key created"),
        "apikey.revoke": _("API key revoked"),
    }
)
