"""What the schedule adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    CardAction,
    CardTab,
    NavItem,
    SettingsTab,
    audit_actions,
    client_card_action,
    client_card_tab,
    nav_item,
    settings_tab,
)

nav_item(NavItem("schedule:calendar", _("Calendar"), "calendar3", order=20))
settings_tab(SettingsTab("schedule", "schedule:settings", _("Schedule"), order=70))
client_card_tab(CardTab("visits", _("Visits"), "schedule:client_visits", order=20))
# «Записати»: the new-visit form with this client chosen, the card's first action
client_card_action(CardAction(_("Book a visit"), "calendar-plus", "schedule:client_book", 5))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "visit.create": _("Visit booked"),
        "visit.update": _("Visit changed"),
        "visit.reschedule": _("Visit moved"),
        "visit.status": _("Visit status changed"),
        "visit.booking_state": _("Visit prepayment state changed"),
        "attendance.mark": _("Attendance marked"),
        "lesson.create": _("Group class added"),
        "lesson.participant_add": _("Participant added to a lesson"),
        "staff_hours.set": _("Working hours set"),
        "staff_hours.exception_create": _("Day off or changed hours added"),
        "staff_hours.exception_delete": _("Day off or changed hours removed"),
        "schedule_settings.update": _("Schedule settings changed"),
        "visit_status.create": _("Visit status added"),
        "visit_status.update": _("Visit status changed"),
    }
)
