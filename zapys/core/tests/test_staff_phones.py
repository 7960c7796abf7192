"""Staff pages show a phone as people write it, «+380 44 123 45 67» (the `phone` filter of
clients/templatetags/phones.py, as the public pages do); a `tel:` link, a form's value and
the exports keep the stored E.164."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories_prepayments import make_client, make_visit

STORED = "+380441234567"
SHOWN = "+380 44 123 45 67"


def _text(html: str) -> str:
    """What a reader sees: the page without its tags (so attributes, `tel:` links and
    inputs, where the stored number belongs, do not count)."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def visit(org, branch):
    return make_visit(org, branch, client=make_client(org, "Шевчук Марія", phone=STORED))


@pytest.mark.parametrize(
    "page",
    [
        lambda v: reverse("clients:list"),
        lambda v: reverse("clients:detail", args=[v.attendances.get().client_id]),
        lambda v: reverse("schedule:visit_detail", args=[v.pk]),
        lambda v: reverse("schedule:client_search") + "?q=441234567",
    ],
    ids=["client list", "client card", "visit card", "new visit's client picker"],
)
def test_a_staff_page_shows_the_phone_as_people_write_it(staff_client, visit, page):
    html = staff_client.get(page(visit), headers={"HX-Request": "true"}).content.decode()
    assert SHOWN in _text(html)
    assert STORED not in _text(html)


def test_a_tel_link_keeps_the_stored_number(staff_client, visit):
    card = staff_client.get(reverse("clients:detail", args=[visit.attendances.get().client_id]))
    assert f'href="tel:{STORED}"' in card.content.decode()
