"""Attendance in a group lesson, in a real browser: marking "attended" takes a visit from
the client's membership and undoing it gives the visit back (issue acceptance)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.browser import login, patient, wait_for
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_clients import make_client
from tests.factories_ledger import make_membership, make_plan
from tests.factories_schedule import SYSTEM, make_specialist
from zapys.catalog.services import group_create
from zapys.core.tenancy import org_scope
from zapys.memberships.models import ClientMembership
from zapys.schedule import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("midday"),
]  # visits hours from now stay today


@pytest.fixture
def lesson(transactional_db):
    org = make_org("Dance Lab")
    with org_scope(org):
        branch = make_branch(org, "Hall")
        owner = make_staff(org, "owner", username="dance-owner", branches=[branch])
        teacher = make_specialist(org, branch, first_name="Oksana", last_name="Teacher")
        student = make_client(org, "Shevchuk Anna")
        membership = make_membership(
            student, make_plan(org, "8 classes", visits=8), starts_on=timezone.localdate()
        )
        group = group_create(
            organization=org, name="Salsa beginners", actor=SYSTEM, branch=branch,
            teacher=teacher, member_ids=[student.pk],
        )  # fmt: skip
        starts = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
        (visit,) = services.lesson_create(
            organization=org, branch=branch, staff=teacher, starts_at=starts,
            duration_minutes=60, actor=SYSTEM, group=group,
        )  # fmt: skip
    return org, owner, visit, membership


def _visits_left(org, membership) -> int | None:
    with org_scope(org):
        return ClientMembership.objects.get(pk=membership.pk).visits_left


def test_marking_attended_takes_a_visit_and_undo_returns_it(browser, live_server, lesson):
    org, owner, visit, membership = lesson
    assert _visits_left(org, membership) == 8
    login(browser, live_server, owner.username, PASSWORD)
    browser.get(f"{live_server.url}/visits/{visit.pk}/")
    wait_for(browser, "[data-testid=mark-attended]").click()
    patient(browser).until(lambda d: _visits_left(org, membership) == 7)
    wait_for(browser, "[data-testid=mark-planned]").click()
    patient(browser).until(lambda d: _visits_left(org, membership) == 8)
    states = browser.find_elements(By.CSS_SELECTOR, "[data-testid=attendance-state]")
    assert states and "Anna" in browser.find_element(By.TAG_NAME, "body").text
