"""Shared fixtures for every test under zapys/ and tests/.
`org` activates that organization's scope for the whole test, the way a staff request does;
build another organization's rows with `org_scope(other_org)`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.api_client import ApiClient
from tests.factories import make_branch, make_org, make_staff
from zapys.accounts.models import Branch, Organization, User
from zapys.accounts.services import apikey_create
from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope


@pytest.fixture
def org(db) -> Iterator[Organization]:
    organization = make_org("Salon A")
    with org_scope(organization):
        yield organization


@pytest.fixture
def other_org(db) -> Organization:
    return make_org("Salon B")


@pytest.fixture
def branch(org: Organization) -> Branch:
    return make_branch(org, "Main")


@pytest.fixture
def owner(org: Organization, branch: Branch) -> User:
    return make_staff(org, User.Role.OWNER, username="owner-a", branches=[branch])


@pytest.fixture
def actor(owner: User) -> Actor:
    return Actor.staff(owner)


@pytest.fixture
def api(owner: User) -> ApiClient:
    _key, plain = apikey_create(user=owner, actor=Actor.system("tests"))
    return ApiClient(plain)


@pytest.fixture
def staff_client(client, owner: User):
    client.force_login(owner)
    return client


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


from tests.browser import browser  # noqa: E402,F401  (fixture re-export)


def _compile_translations() -> None:
    """Translations are compiled from the committed .po files (the .mo are not committed).

    At this module's import, not in a session hook: by the time `pytest_sessionstart` runs,
    Django is set up and app loading may already have read (and cached) the catalogs — a
    fresh clone's first run then failed every Ukrainian-text test. Plain polib, no Django,
    the same rule as `manage.py compile_translations`."""
    import polib

    for po_path in sorted(Path(__file__).parent.glob("zapys/**/locale/*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


_compile_translations()


@pytest.fixture
def midday(time_machine) -> None:
    """Today at 12:00 in Kyiv, the demo organizations' zone, the clock still ticking. For
    tests that place visits hours before or after "now" and expect them on today's date in
    the organization's zone: run just after midnight there (22:00–02:00 UTC), "1.5 hours
    ago" is yesterday. Use it with `pytestmark = pytest.mark.usefixtures("midday")`."""
    kyiv = ZoneInfo("Europe/Kyiv")
    time_machine.move_to(datetime.now(kyiv).replace(hour=12, minute=0, second=0, microsecond=0))


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Services called directly by a test speak English (the messages tests assert on);
    requests still pick their language through the middleware, and client messages are
    rendered in the organization's language explicitly."""
    from django.utils import translation

    with translation.override("en"):
        yield
