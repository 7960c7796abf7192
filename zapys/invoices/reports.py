"""Invoices' report page in the Reports section (`core.reports_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.reports_registry import MONEY_REPORTS, ReportPage, report_declare

report_declare(
    ReportPage(
        "invoices.list",
        _("Invoices"),
        "invoices:list",
        MONEY_REPORTS,
        _("Invoices issued, paid and overdue, with totals of what is filtered."),
        order=40,
        icon="receipt-cutoff",
    )
)
