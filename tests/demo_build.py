"""The whole demo built once for a test module, not once per test.

A demo build is ~15 s of CPU; a module whose tests only read the demo builds it once, in a
transaction the module's last test rolls back (each test's own transaction nests inside it
as a savepoint, so what one test writes is gone before the next). Use from a module-scoped
fixture:

    @pytest.fixture(scope="module")
    def demo_once(django_db_setup, django_db_blocker):
        with demo_built(django_db_blocker) as org:
            yield org

and give each test `db` as well (pytest-django opens the database per test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import transaction

from zapys.accounts.models import Organization
from zapys.core.demo import DEMO_SLUG
from zapys.core.tenancy import unscoped


@contextmanager
def demo_built(django_db_blocker: Any) -> Iterator[Organization]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", stdout=StringIO())
        with unscoped():
            org = Organization.objects.get(slug=DEMO_SLUG)
        yield org
        transaction.set_rollback(True)
