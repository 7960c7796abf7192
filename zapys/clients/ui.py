"""What the clients app adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import CardTab, NavItem, client_card_tab, nav_item

nav_item(NavItem("clients:list", _("Clients"), "people", order=30))
client_card_tab(CardTab("overview", _("Overview"), "clients:client_overview", order=10))
client_card_tab(CardTab("history", _("History"), "clients:client_history", order=90))
