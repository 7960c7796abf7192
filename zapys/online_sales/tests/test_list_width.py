"""The online-sales list fits a 1366 px screen (issue 17 review: the Attach button was
pushed off the right edge and codes broke in two): the code and the amount stay whole while
the commission note may wrap and a long e-mail is cut (its title holds it whole)."""

from __future__ import annotations

import re

import pytest

from zapys.online_sales.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def test_codes_stay_whole_and_the_long_parts_may_wrap(org, owner, staff_client, shop):
    sale = make_sale(org, shop, email="a.very.long.buyer.address@example.com")
    for language, attach in (("en", "Attach"), ("uk", "Закріпити")):
        staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = staff_client.get("/online-sales/").content.decode()
        row = re.search(r'data-testid="sale-row".*?</tr>', page, re.S).group(0)
        assert (
            f'<td class="font-monospace text-nowrap" data-testid="sale-code">'
            f"{sale.activation_code}</td>" in row
        )
        # cut with "…" and the whole address in the title, never broken mid-word (the old
        # assertion wanted .text-break: "known.client@e / xample.com" in the review)
        assert (
            '<td><span class="d-inline-block text-truncate align-bottom" style="max-width:10rem"'
            ' title="a.very.long.buyer.address@example.com" data-testid="sale-email">'
            "a.very.long.buyer.address@example.com</span>" in row
        )
        assert "text-break" not in row
        # only the amount is kept on one line, not the commission note under it
        assert re.search(
            r'<td class="text-end" data-testid="sale-amount"><span class="text-nowrap">', row
        )
        assert f">{attach}</a>" in row, language
