"""The online-sales list fits a 1366 px screen (issue 17 review: the Attach button was
pushed off the right edge and codes broke in two): the code and the amount stay whole while
the commission note may wrap and a long e-mail wraps before its «@» (shown whole)."""

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
        # the code whole, under the status (no column of its own, so the table fits 1366 px)
        assert (
            '<div class="small font-monospace text-muted text-nowrap mt-1" '
            f'data-testid="sale-code">{sale.activation_code}</div>' in row
        )
        # the whole address, read in full (the fifth tour found it cut at 10rem with room to
        # spare: «olena.buyer@exa…»); a long one may wrap before its «@», never mid-word
        # (the review's "known.client@e / xample.com")
        assert (
            '<span data-testid="sale-email">a.very.long.buyer.address<wbr>@example.com</span>'
            in row
        )
        assert "text-truncate" not in row
        assert "text-break" not in row
        # only the amount is kept on one line, not the commission note under it
        assert re.search(
            r'<td class="text-end" data-testid="sale-amount"><span class="text-nowrap">', row
        )
        assert f">{attach}</a>" in row, language
