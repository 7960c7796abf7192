"""What the reports app adds to the staff interface (see `core.ui`): the Reports section."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import MANAGERS, MONEY, NavItem, nav_item

nav_item(NavItem("reports:index", _("Reports"), "bar-chart-line", MANAGERS, MONEY, 85))
