"""What the catalogue adds to the staff interface (see `core.ui`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import CATALOGUE, NavItem, nav_item

nav_item(NavItem("catalog:services", _("Services"), "scissors", section=CATALOGUE, order=100))
