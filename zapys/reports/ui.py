"""What the reports app adds to the staff interface (see `core.ui`): the Reports section."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import MANAGERS, MONEY, NavItem, nav_item

# The cancellations report lives in the prepayments app (its URL is under /prepayments/) but
# is a report: its breadcrumb is «Звіти / …», so the menu highlights Reports there.
nav_item(
    NavItem(
        "reports:index",
        _("Reports"),
        "bar-chart-line",
        MANAGERS,
        MONEY,
        85,
        also_under=("/prepayments/cancellations/",),
    )
)
