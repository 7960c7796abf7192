"""The online-sales list fits a 1366 px screen (issue 17 review: the Attach button was
pushed off the right edge and codes broke in two) with six columns: a sale's details are on
its page (the commission; an attached sale's code), the client's name and the amount stay on
one line, a waiting sale's code whole under its status, a long e-mail wraps before its «@»."""

from __future__ import annotations

import re

import pytest

from tests.factories_clients import make_client
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.tests.factories import make_sale

pytestmark = pytest.mark.django_db


def test_codes_stay_whole_and_the_long_parts_may_wrap(org, owner, staff_client, shop):
    sale = make_sale(org, shop, email="a.very.long.buyer.address@example.com")
    for language, attach in (("en", "Attach"), ("uk", "Закріпити")):
        staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = staff_client.get("/online-sales/").content.decode()
        row = re.search(r'data-testid="sale-row".*?</tr>', page, re.S).group(0)
        # six columns (the client's column and the code's are gone: names wrapped)
        assert len(re.findall(r"<th[ >]", page)) == 6
        # a sale waiting for its client: its code whole under the status (a payment's row
        # names it by the code)
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
        # the amount whole; the commission is on the sale's page
        assert '<td class="text-end text-nowrap" data-testid="sale-amount">' in row
        assert "commission" not in row and "комісі" not in row
        assert f">{attach}</a>" in row, language


def test_an_attached_sale_names_its_client_on_one_line(org, owner, staff_client, shop):
    sale = make_sale(org, shop)
    client = make_client(org, "Коваленко-Шевченко Олександра Вікторівна")
    OnlineSale.objects.filter(pk=sale.pk).update(client=client, status="attached")
    page = staff_client.get("/online-sales/").content.decode()
    row = re.search(r'data-testid="sale-row".*?</tr>', page, re.S).group(0)
    assert (
        '<div class="small text-nowrap mt-1" data-testid="sale-client">'
        f'<a href="/clients/{client.pk}/">{client.name}</a></div>' in row
    )
    assert 'data-testid="sale-code"' not in row  # on the sale's page
