"""What memberships adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    CATALOGUE,
    CardAction,
    CardTab,
    NavItem,
    audit_actions,
    client_card_action,
    client_card_tab,
    nav_item,
)

nav_item(
    NavItem("memberships:plans", _("Memberships"), "card-checklist", section=CATALOGUE, order=90)
)
client_card_tab(CardTab("memberships", _("Memberships"), "memberships:client_memberships", 40))
client_card_action(CardAction(_("Sell membership"), "card-checklist", "memberships:sell", 20))


# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "membership.sell": _("Membership sold"),
        "membership.renew": _("Membership renewed"),
        "membership.cancel": _("Membership cancelled"),
        "membership.consume_visit": _("Visit taken from a membership"),
        "membership.return_visit": _("Visit returned to a membership"),
        "membership.add_virtual_visits": _("Visits added to a membership"),
        "membership.correct_validity": _("Membership validity corrected"),
        "membership.validity_shift": _("Membership validity moved"),
        "membership.sale_mode": _("Membership payment changed"),
        "membership_plan.create": _("Membership plan added"),
        "membership_plan.update": _("Membership plan changed"),
        "membership_plan.archive": _("Membership plan archived"),
        "membership_plan.restore": _("Membership plan restored"),
    }
)
