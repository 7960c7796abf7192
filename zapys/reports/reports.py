"""The reports this app answers, declared like every other app's (`core.reports_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.reports_registry import (
    LINK_REPORTS,
    MONEY_REPORTS,
    SALES_REPORTS,
    ReportPage,
    report_declare,
)

report_declare(
    ReportPage(
        "reports.money",
        _("Money by purpose, method and day"),
        "reports:money",
        MONEY_REPORTS,
        _("Received and refunded, with bars by day and the period before."),
        order=10,
        icon="bar-chart-line",
    )
)
report_declare(
    ReportPage(
        "reports.compare",
        _("This period and the one before"),
        "reports:compare",
        MONEY_REPORTS,
        _("This month against the last, by purpose and method."),
        order=15,
        icon="arrow-left-right",
    )
)
report_declare(
    ReportPage(
        "reports.day",
        _("Hourly takings"),  # not "Daily sales": that is the receipts page
        "reports:day",
        SALES_REPORTS,
        _("One day by hour, method and purpose, against the same day a week before."),
        order=100,
        icon="clock-history",
    )
)
report_declare(
    ReportPage(
        "reports.funnel",
        _("Payment links: sent, opened, paid"),
        "reports:funnel",
        LINK_REPORTS,
        _("How links turn into payments: by channel, hour of sending and purpose."),
        order=300,
        icon="link-45deg",
    )
)
