"""Fiscal's report page in the Reports section (`core.reports_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.reports_registry import MONEY_REPORTS, ReportPage, report_declare

report_declare(
    ReportPage(
        "fiscal.receipts",
        _("Fiscal receipts"),
        "fiscal:receipts",
        MONEY_REPORTS,
        _("Receipts and returns sent to the tax service, shifts and failures."),
        order=60,
        icon="receipt",
    )
)
