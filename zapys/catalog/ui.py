"""What the catalogue adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import CATALOGUE, NavItem, audit_actions, nav_item

# Working hours were a tab here; they are the staff's now (accounts/ui.py).
nav_item(NavItem("catalog:services", _("Services"), "scissors", section=CATALOGUE, order=100))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "service.create": _("Service added"),
        "service.update": _("Service changed"),
        "group.create": _("Group added"),
        "group.update": _("Group changed"),
        "group.members": _("Group members changed"),
        "lesson_type.create": _("Lesson type added"),
        "lesson_type.update": _("Lesson type changed"),
        "room.create": _("Room added"),
        "room.update": _("Room changed"),
        "subject.create": _("Subject added"),
        "subject.update": _("Subject changed"),
    }
)
