"""What the waiting list adds to the staff interface (see `core.ui`): the menu item, the
client card's button and the names of its audit actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import CardAction, NavItem, audit_actions, client_card_action, nav_item

nav_item(NavItem("waitlist:list", _("Waiting list"), "hourglass", order=25))
client_card_action(CardAction(_("Waiting list"), "hourglass", "waitlist:client", 40))

# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "waitlist.add": _("Added to the waiting list"),
        "waitlist.remove": _("Removed from the waiting list"),
        "waitlist.offer": _("A freed time offered from the waiting list"),
        "waitlist.offer_expired": _("Waiting-list offer not paid in time"),
        "waitlist.booked": _("Booked from the waiting list"),
        "waitlist.booked_by_staff": _(
            "Booked by staff for the waiting client: not paid by the link, no message sent"
        ),
        # the two ways a client loses a time, told apart by whether they had paid
        "waitlist.slot_taken": _("Paid for an offered time, but it was already taken"),
        "waitlist.offer_lost": _(
            "Offer closed before payment: the time was booked for another client"
        ),
        "waitlist.settings": _("Waiting list settings changed"),
    }
)
