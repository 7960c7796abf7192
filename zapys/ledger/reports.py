"""The ledger's report pages in the Reports section (`core.reports_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.reports_registry import MONEY_REPORTS, SALES_REPORTS, ReportPage, report_declare

report_declare(
    ReportPage(
        "ledger.payments",
        _("Payments and charges"),
        "ledger:payments_report",
        MONEY_REPORTS,
        # Not "accounts": beside the «Рахунки» card that word reads as invoices.
        _("Every payment and charge of the clients, with filters and exports."),
        order=20,
        icon="cash-coin",
    )
)
report_declare(
    ReportPage(
        "ledger.day_sales",
        _("Daily sales"),  # the sidebar's and the page's name
        "ledger:day_sales",
        SALES_REPORTS,
        _("The day's receipts of a branch, line by line."),
        order=110,
        icon="receipt",
    )
)
