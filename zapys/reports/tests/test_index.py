"""The Reports section: what the apps declare in their `reports.py`, on one page."""

from __future__ import annotations

import pytest

from tests.factories import make_staff
from zapys.accounts.models import User
from zapys.core.reports_registry import (
    ReportPage,
    report_declare,
    report_withdraw,
    reports_for,
)


def test_the_apps_reports_are_listed_by_section(staff_client):
    page = staff_client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    for url in (
        "/finance/payments/",
        "/finance/day-sales/",
        "/prepayments/",
        "/online-sales/report/",
        "/finance/invoices/",
        "/fiscal-receipts/",
    ):
        assert f'href="{url}"' in html, url


def test_a_report_whose_url_is_not_installed_or_not_for_the_role_is_not_listed(db):
    report_declare(ReportPage("tests.nowhere", "Nowhere", "nowhere:page"))
    report_declare(ReportPage("tests.owners", "Owners only", "core:dashboard", roles=("owner",)))
    try:
        keys = lambda role: {p["key"] for s in reports_for(role) for p in s["pages"]}  # noqa: E731
        assert "tests.nowhere" not in keys("owner")
        assert "tests.owners" in keys("owner") and "tests.owners" not in keys("administrator")
        with pytest.raises(ValueError):
            report_declare(ReportPage("tests.owners", "Another", "core:dashboard"))
    finally:
        report_withdraw("tests.nowhere")
        report_withdraw("tests.owners")


def test_a_specialist_is_refused(client, org, branch):
    specialist = make_staff(org, User.Role.SPECIALIST, username="spec", branches=[branch])
    client.force_login(specialist)
    assert client.get("/reports/").status_code == 403
