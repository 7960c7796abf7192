"""Plain builder functions for tests. They go through the services where one exists."""

from __future__ import annotations

import itertools

from zapys.accounts.models import Branch, Organization, User
from zapys.accounts.services import branch_create, organization_create, staff_create
from zapys.core.audit import Actor

_seq = itertools.count(1)
SYSTEM = Actor.system("tests")
PASSWORD = "correct-horse-battery-42"


def make_org(name: str | None = None, **fields: str) -> Organization:
    n = next(_seq)
    return organization_create(name=name or f"Org {n}", slug=f"org-{n}", actor=SYSTEM, **fields)


def make_branch(org: Organization, name: str | None = None) -> Branch:
    return branch_create(organization=org, name=name or f"Branch {next(_seq)}", actor=SYSTEM)


def make_staff(
    org: Organization,
    role: str = User.Role.OWNER,
    *,
    username: str | None = None,
    branches: list[Branch] | None = None,
    **fields,
) -> User:
    return staff_create(
        organization=org,
        username=username or f"user{next(_seq)}",
        password=PASSWORD,
        role=role,
        first_name=fields.pop("first_name", "Test"),
        last_name=fields.pop("last_name", "User"),
        branches=branches,
        actor=SYSTEM,
        **fields,
    )
