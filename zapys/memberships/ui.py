"""What memberships adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    CATALOGUE,
    CardAction,
    CardTab,
    NavItem,
    client_card_action,
    client_card_tab,
    nav_item,
)

nav_item(
    NavItem("memberships:plans", _("Memberships"), "card-checklist", section=CATALOGUE, order=90)
)
client_card_tab(CardTab("memberships", _("Memberships"), "memberships:client_memberships", 40))
client_card_action(CardAction(_("Sell membership"), "card-checklist", "memberships:sell", 20))
