"""Prepayments' report pages in the Reports section (`core.reports_registry`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.reports_registry import BOOKING_REPORTS, ReportPage, report_declare

report_declare(
    ReportPage(
        "prepayments.bookings",
        _("Prepayments before visits"),
        "prepayments:bookings",
        BOOKING_REPORTS,
        _("Prepayments awaited, paid, expired and cancelled, with exports."),
        order=200,
        icon="calendar-check",
    )
)
report_declare(
    ReportPage(
        "prepayments.cancellations",
        _("Cancellations and fees"),
        "prepayments:cancellations",
        BOOKING_REPORTS,
        _(
            "Paid visits cancelled and no-shows by client, service and specialist: fees charged, waived, refunded."
        ),
        order=210,
        icon="x-octagon",
    )
)
