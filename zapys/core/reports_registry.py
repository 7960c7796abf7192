"""The Reports section: the report pages the apps declare, so one page lists them all.

An app (any layer) declares its report pages in its `reports.py`, found like `ui.py`::

    report_declare(ReportPage("payments", _("Payments"), "ledger:payments_report",
                              section=MONEY_REPORTS, order=10))

The reports app shows them (the section's index and the menu) without importing the apps
that declare them: a purpose app's report (prepayments' cancellations and fees, fiscal's
receipts) stays in its own app and still appears in the one Reports section. A page whose URL
is not installed is not listed; `roles` limit who sees it (the views check permissions too).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from zapys.core.ui import MANAGERS, Label

# Sections of the Reports page, in this order; an app may name its own.
MONEY_REPORTS: Label = _("Money")
SALES_REPORTS: Label = _("Sales")
BOOKING_REPORTS: Label = _("Bookings")
LINK_REPORTS: Label = _("Payment links")


@dataclass(frozen=True)
class ReportPage:
    key: str
    label: Label
    url_name: str
    section: Label = MONEY_REPORTS
    description: Label = ""
    order: int = 500
    roles: tuple[str, ...] = MANAGERS
    icon: str = "bar-chart"


_REPORTS: dict[str, ReportPage] = {}
_discovered = False


def reports_discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("reports")
        _discovered = True


def report_declare(page: ReportPage) -> ReportPage:
    known = _REPORTS.get(page.key)
    if known is not None and known != page:
        raise ValueError(f"Report {page.key!r} is declared twice")
    _REPORTS[page.key] = page
    return page


def report_withdraw(key: str) -> None:
    """Forget a report (tests that declare one of their own)."""
    _REPORTS.pop(key, None)


def reports_declared() -> Iterator[ReportPage]:
    reports_discover()
    return iter(sorted(_REPORTS.values(), key=lambda page: (page.order, page.key)))


def reports_for(role: str) -> list[dict]:
    """The report pages a role sees, with their URLs, grouped by section in order of
    the first page of each section: [{"section", "pages": [{"key", "label", "url", ...}]}]."""
    sections: dict[str, dict] = {}
    for page in reports_declared():
        if role not in page.roles:
            continue
        try:
            url = reverse(page.url_name)
        except NoReverseMatch:
            continue
        group = sections.setdefault(str(page.section), {"section": page.section, "pages": []})
        group["pages"].append(
            {
                "key": page.key,
                "label": page.label,
                "url": url,
                "description": page.description,
                "icon": page.icon,
            }
        )
    return list(sections.values())
