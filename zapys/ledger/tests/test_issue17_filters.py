"""The payments report's filters say "All" when nothing is chosen, like Purpose and Kind
(issue 17; "— choose —" read as if a choice were required)."""

from __future__ import annotations

import re

import pytest

from tests.factories_ledger import make_payment_type


@pytest.mark.parametrize(("language", "all_"), [("uk", "Усі"), ("en", "All")])
def test_every_filter_of_the_payments_report_offers_all(staff_client, branch, language, all_):
    make_payment_type(branch)
    staff_client.cookies["django_language"] = language
    html = staff_client.get("/finance/payments/").content.decode()
    for name in ("branch", "purpose", "kind", "payment_type"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
        assert select is not None, name
        first = re.search(r'<option value=""[^>]*>([^<]*)</option>', select.group())
        assert first is not None and first.group(1) == all_, name
    assert "— оберіть —" not in html and "— choose —" not in html
