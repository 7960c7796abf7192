"""What memberships adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.core.audit_reading import audit_merged
from zapys.core.ui import (
    CATALOGUE,
    CardAction,
    CardTab,
    NavItem,
    audit_actions,
    audit_fields,
    audit_values,
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


def _sale_mode_label(value: str) -> str:
    from zapys.memberships.models import ClientMembership

    return str(dict(ClientMembership.SaleMode.choices).get(value, value))


# A sale's and a renewal's "mode" is the membership's sale mode («Оплачено», «Без оплати»),
# and "cause" what a visit was taken for (the visit, named by the log); the ids of the
# usage and the ledger entry written with them say nothing to an owner (`_UNSHOWN_OF` in
# core.audit_reading). Fifth tour: «Mode: free», «Usage: 23», «Entry: 58».
audit_fields(
    "memberships.clientmembership",
    {"mode": _("Sale mode"), "cause": pgettext_lazy("membership visit", "For")},
)
audit_values("memberships.clientmembership", "mode", _sale_mode_label)


def _validity_words(number: object, unit: object) -> str | None:
    from zapys.memberships.models import MembershipPlan

    try:
        n = int(str(number))
    except ValueError:
        return None
    if unit not in MembershipPlan.ValidityUnit.values:
        return None
    return MembershipPlan(validity_value=n, validity_unit=str(unit)).validity_text


# «Термін дії: 1 місяць», not «Термін дії: 1» and «Одиниця: Місяці» (fifth tour).
audit_merged("memberships.membershipplan", "validity_value", "validity_unit", _validity_words)
