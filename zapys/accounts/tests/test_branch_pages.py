"""A branch's pages are pages of the settings: the menu highlights Settings (it was Staff,
«Персонал»: a branch is not a person), and the settings' tabs show the branches' tab."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_branch
from tests.pages import staff_page

pytestmark = pytest.mark.django_db


def _highlighted(page: str) -> list[str]:
    """The menu items drawn active: their hrefs."""
    return sorted(set(re.findall(r'<a href="([^"]+)" class="nav-link active">', page)))


@pytest.mark.parametrize(
    ("language", "tab"),
    [("uk", "Персонал і філії"), ("en", "Staff and branches")],
)
@pytest.mark.parametrize("new", [True, False])
def test_a_branch_page_is_under_settings(staff_client, owner, branch, language, tab, new):
    args = () if new else (branch.pk,)
    page = staff_page(
        staff_client,
        owner,
        language,
        "accounts:branch_new" if new else "accounts:branch_edit",
        *args,
    )
    assert _highlighted(page) == [reverse("accounts:settings")]
    assert re.search(rf"<h1[^>]*>{tab}</h1>", page)  # headed by its section, as the menu says
    assert re.search(
        rf'class="nav-link text-nowrap active"[^>]*data-testid="settings-tab-staff">{tab}<', page
    )


def test_the_staff_list_still_highlights_staff(staff_client, owner):
    page = staff_page(staff_client, owner, "uk", "accounts:staff")
    assert _highlighted(page) == [reverse("accounts:staff")]


def test_a_branch_page_reads_as_many_queries_with_more_branches(
    staff_client, owner, org, branch, django_assert_num_queries
):
    url = reverse("accounts:branch_edit", args=[branch.pk])
    staff_client.get(url)  # warm: the session, the caches
    with CaptureQueriesContext(connection) as one_branch:
        assert staff_client.get(url).status_code == 200
    for n in range(5):
        make_branch(org, f"Філія {n}")
    with django_assert_num_queries(len(one_branch)):
        assert staff_client.get(url).status_code == 200
