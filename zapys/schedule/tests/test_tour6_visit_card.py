"""The visit card after the sixth tour (#22): it names the visit's branch when there is more
than one to tell apart (the salon's top bar may show another branch than the visit's)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_branch
from tests.factories_clients import make_client
from tests.factories_schedule import make_visit
from tests.pages import staff_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("midday")]


@pytest.mark.parametrize(("language", "label"), [("uk", "Філія"), ("en", "Branch")])
def test_the_card_names_the_branch_only_when_there_are_several(
    staff_client, owner, org, branch, spec, service, language, label
):
    visit = make_visit(
        org,
        client=make_client(org, "Олена Коваль"),
        staff=spec,
        service=service,
        starts_at=timezone.now() + timedelta(days=1),
        branch=branch,
    )
    page = staff_page(staff_client, owner, language, "schedule:visit_detail", visit.pk)
    assert 'data-testid="visit-branch"' not in page  # one branch: nothing to tell apart
    make_branch(org, "Поділ")
    page = staff_page(staff_client, owner, language, "schedule:visit_detail", visit.pk)
    assert f'<dt class="col-4">{label}</dt><dd class="col-8" data-testid="visit-branch">' in page
    assert f'data-testid="visit-branch">{branch.name}</dd>' in page
