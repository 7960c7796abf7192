"""The dashboard reads the header's branch once, and its staff card counts that branch's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_branch, make_staff

pytestmark = pytest.mark.django_db


def _cards(response) -> dict[str, dict]:
    return {w["icon"]: w for w in response.context["widgets"]}


def test_staff_are_those_of_the_header_branch(org, branch, owner, staff_client):
    podil = make_branch(org, "Поділ")
    make_staff(org, "administrator", branches=[branch])
    make_staff(org, "specialist", branches=[branch])
    make_staff(org, "specialist", branches=[podil])
    make_staff(org, "specialist", branches=[branch, podil])
    here = _cards(staff_client.get(reverse("core:dashboard"), {"branch": branch.pk}))
    there = _cards(staff_client.get(reverse("core:dashboard"), {"branch": podil.pk}))
    assert here["person-badge"]["value"] == 4  # three of the branch and the owner
    assert there["person-badge"]["value"] == 3  # two of Поділ and the owner
    assert here["building"]["value"] == there["building"]["value"] == 2


def test_the_branch_is_read_once_whatever_the_cards(org, branch, owner, staff_client):
    podil = make_branch(org, "Поділ")
    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("core:dashboard"), {"branch": branch.pk})
    with CaptureQueriesContext(connection) as other:
        staff_client.get(reverse("core:dashboard"), {"branch": podil.pk})
    assert len(one) == len(other)
    branch_reads = [q for q in one.captured_queries if 'FROM "accounts_branch"' in q["sql"]]
    # the header's switcher, the dashboard's scope (once for every card) and the branches' count
    assert len(branch_reads) == 3, [q["sql"][:120] for q in branch_reads]


@pytest.mark.parametrize(("language", "today"), [("uk", "сьогодні"), ("en", "today")])
def test_the_dashboard_says_which_branch_its_cards_count(
    org, branch, owner, staff_client, language, today
):
    """The cards follow the header's branch: the page says so above them («Поділ ·
    сьогодні»), or a card's 0 beside the list's 1 of another branch reads as wrong."""
    podil = make_branch(org, "Поділ")
    owner.language = language
    owner.save(update_fields=["language"])
    page = staff_client.get(reverse("core:dashboard"), {"branch": podil.pk}).content.decode()
    scope = page.split('data-testid="dashboard-scope">')[1].split("</div>")[0]
    assert f"Поділ · {today}" in scope
    assert branch.name not in scope
