"""Online sales' report page in the Reports section (`core.reports_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.reports_registry import SALES_REPORTS, ReportPage, report_declare

report_declare(
    ReportPage(
        "online_sales.report",
        _("Online sales"),
        "online_sales:report",
        SALES_REPORTS,
        _("What the shop sold, by plan and period."),
        order=120,
        icon="bag-check",
    )
)
