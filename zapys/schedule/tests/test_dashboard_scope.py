"""The dashboard counts the branch the header shows (issue 17: "20 visits" linked to a
calendar of 13, "15 receipts" to a day with 1)."""

from datetime import time

import time_machine
from django.test import RequestFactory

from tests.factories import make_branch, make_staff
from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.schedule.dashboard import widgets

NOW = "2030-03-04T06:00:00+00:00"  # Monday 08:00 in Kyiv
ALL_DAY = [(d, time(8), time(20)) for d in range(7)]


@time_machine.travel(NOW, tick=False)
def test_visits_today_are_those_of_the_chosen_branch(org, branch):
    other = make_branch(org, "Подол")
    owner = make_staff(org, "owner", branches=[branch, other])
    svc = make_service(org, "Brows", duration_minutes=60, branches=[branch, other])
    here = make_specialist(org, branch, hours=ALL_DAY)
    there = make_specialist(org, other, hours=ALL_DAY)
    client = make_client(org)
    for hour in (9, 10):
        make_visit(
            org,
            client=client,
            staff=here,
            service=svc,
            starts_at=local(org, 2030, 3, 4, hour),
            branch=branch,
        )
    for hour in (11, 12, 13):
        make_visit(
            org,
            client=client,
            staff=there,
            service=svc,
            starts_at=local(org, 2030, 3, 4, hour),
            branch=other,
        )

    def count(branch_id: int) -> int:
        request = RequestFactory().get("/", {"branch": branch_id})
        request.user = owner
        request.organization = org  # type: ignore[attr-defined]
        request.session = {}  # type: ignore[assignment]
        return widgets(request)[0]["value"]

    assert count(branch.pk) == 2
    assert count(other.pk) == 3
