"""A phone number does not break across lines («+380 44 / 123 45 67» on the prepayment page
and the public pages, issue 17): every shown number is a tel: link there, and both
stylesheets keep such a link on one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

STATIC = Path(settings.BASE_DIR) / "zapys" / "static" / "zapys"
TEMPLATES = Path(settings.BASE_DIR) / "zapys"


@pytest.mark.parametrize("sheet", ["app.css", "public.css"])
def test_a_phone_link_stays_on_one_line(sheet):
    css = (STATIC / sheet).read_text(encoding="utf-8")
    assert re.search(r'a\[href\^="tel:"\]\s*\{\s*white-space:\s*nowrap;', css)


def test_the_public_pages_show_a_phone_as_a_tel_link():
    pages = [
        "prepayments/templates/prepayments/page.html",
        "payments/templates/payments/page.html",
        "invoices/templates/invoices/page.html",
        "waitlist/templates/waitlist/offer.html",
        "schedule/templates/schedule/public/done.html",
    ]
    for page in pages:
        html = (TEMPLATES / page).read_text(encoding="utf-8")
        for found in re.finditer(r"\{\{ [\w.]+\|phone \}\}", html):
            before = html[: found.start()]
            link = before[before.rfind("<a ") :]  # the link it is in, if any
            assert "</a>" not in link and 'href="tel:' in link, (page, found.group())
