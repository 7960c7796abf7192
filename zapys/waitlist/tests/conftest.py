"""Waiting-list fixtures: a salon with a specialist, a service, a sandbox payment account, a
console SMS transport (so offers reach the outbox) and links pointing at the test server;
for the browser walks, the same salon on the live server and its owner signed in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver import Chrome

from tests.browser import DESKTOP, browser_available, login, make_driver
from tests.factories import PASSWORD, make_branch, make_org, make_staff
from tests.factories_messaging import make_transport_account
from tests.factories_payments import make_account
from tests.factories_payments import make_client as _make_client
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.core.tenancy import org_scope
from zapys.schedule.models import Visit


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


@pytest.fixture
def salon(org, branch, owner):
    make_account(org, "sandbox")
    make_transport_account(org)
    specialist = make_specialist(org, branch, first_name="Iryna", last_name="Bondar")
    service = make_service(org, "Manicure", price=45000, branches=[branch])
    return specialist, service


@pytest.fixture
def make_client(org):
    return lambda name=None: _make_client(org, name)


@pytest.fixture
def booked_slot(org, branch, salon, make_client):
    """A visit two days ahead at 10:00 (local), taken by someone else."""
    specialist, service = salon
    start = (timezone.localtime(timezone.now()) + timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return make_visit(
        org, client=make_client("Taken Tamara"), staff=specialist, service=service, starts_at=start
    )


@dataclass(frozen=True)
class LiveSalon:
    """What a browser walk starts from (`live_salon`)."""

    org: Organization
    branch: Branch
    owner: User
    specialist: User
    service: Service
    taken: Visit  # two days ahead at 11:00 (local), booked by another client


@pytest.fixture
def live_salon(transactional_db, settings, live_server) -> LiveSalon:
    """The salon of the browser walks, on the live server (offer links point at it), with
    the demo's kind of names: long Ukrainian ones are what a 1366 px table must fit."""
    settings.ZAPYS_PUBLIC_URL = live_server.url
    org = make_org("Студія краси «Зоряна»")
    with org_scope(org):
        branch = make_branch(org, "Поділ")
        owner = make_staff(org, User.Role.OWNER, username="salon-owner", branches=[branch])
        make_account(org, "sandbox")
        make_transport_account(org)
        specialist = make_specialist(org, branch, first_name="Тарас", last_name="Мельник")
        service = make_service(org, "Манікюр з покриттям гель-лак", price=45000, branches=[branch])
        start = (timezone.localtime(timezone.now()) + timedelta(days=2)).replace(
            hour=11, minute=0, second=0, microsecond=0
        )
        taken = make_visit(
            org,
            client=_make_client(org, "Бондаренко Олександра"),
            staff=specialist,
            service=service,
            starts_at=start,
        )
    return LiveSalon(org, branch, owner, specialist, service, taken)


@pytest.fixture
def signed_in(live_salon, live_server) -> Iterator[Callable[..., Chrome]]:
    """`signed_in(language="uk")`: a Chromium at 1366 px with the salon's owner signed in,
    the interface in `language` (the owner's own setting, as a person would have it)."""
    if not browser_available():
        if os.environ.get("CI"):
            pytest.fail("Chromium/chromedriver missing on CI: .ci/run must install them")
        pytest.skip("chromium and chromium-driver are not installed")
    drivers: list[Chrome] = []

    def sign_in(language: str = "uk") -> Chrome:
        User.objects.filter(pk=live_salon.owner.pk).update(language=language)
        driver = make_driver(DESKTOP, language=language)
        drivers.append(driver)
        login(driver, live_server, live_salon.owner.username, PASSWORD)
        return driver

    try:
        yield sign_in
    finally:
        for driver in drivers:
            driver.quit()


@pytest.fixture(autouse=True)
def _no_quiet_hours(monkeypatch) -> None:
    """The tests of other things run at any hour of the day: an organization has no quiet
    hours here, with or without its settings row (`test_quiet_hours.py` sets its own)."""
    from datetime import time

    from zapys.waitlist import services
    from zapys.waitlist.models import WaitlistSettings

    monkeypatch.setattr(services, "QUIET_DEFAULT", (time(0), time(0)))
    for name in ("quiet_from", "quiet_to"):
        monkeypatch.setattr(WaitlistSettings._meta.get_field(name), "default", time(0))
