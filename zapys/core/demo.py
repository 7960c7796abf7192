"""The demo organization (P8), built from each app's `demo.py` hook.

Each app that has demo data defines `load(ctx: DemoContext) -> None` in `zapys/<app>/demo.py`;
hooks run in INSTALLED_APPS order inside one transaction, so a later app can use what an
earlier one made (ctx.data is the shared bag).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from unittest import mock

from django.conf import settings
from django.utils import timezone

from zapys.core.audit import Actor

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization, User

DEMO_SLUG = "demo"
DEMO_OWNER_LOGIN = "owner"
DEMO_PASSWORD = "zapys-demo-2026"  # the demo is for trying the product offline; never in production


@dataclass
class DemoContext:
    organization: Organization
    owner: User
    now: datetime
    actor: Actor
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    branches: list[Branch] = field(default_factory=list)
    staff: list[User] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def specialists(self) -> list[User]:
        return [u for u in self.staff if u.role == "specialist"]


@contextlib.contextmanager
def demo_clock(moment: datetime) -> Iterator[None]:
    """For the demo's history: the services read `timezone.now()`, which answers `moment`
    (never later than the real now: nothing in the demo happens in the future). A ledger
    entry cannot be re-dated once written, so history is made by setting the clock back."""
    moment = min(moment, timezone.now())
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def demo_hooks(name: str = "load") -> list[Any]:
    """Each app's `load(ctx)`, in INSTALLED_APPS order; `demo_hooks("finish")` gives the
    optional `finish(ctx)` hooks, run after every app has loaded (to reconcile what later
    apps made, e.g. the sandbox provider's books for every demo payment), and
    `demo_hooks("settle")` the `settle(ctx)` hooks, run after every `finish` (to read the
    demo's final state: the clients who owe once every payment is in)."""
    hooks = []
    for app in settings.INSTALLED_APPS:
        if app.startswith("zapys.") and importlib.util.find_spec(f"{app}.demo") is not None:
            module = importlib.import_module(f"{app}.demo")
            if hasattr(module, name):
                hooks.append(getattr(module, name))
    return hooks
