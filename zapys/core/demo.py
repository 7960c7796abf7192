"""The demo organization (P8), built from each app's `demo.py` hook.

Each app that has demo data defines `load(ctx: DemoContext) -> None` in `zapys/<app>/demo.py`;
hooks run in INSTALLED_APPS order inside one transaction, so a later app can use what an
earlier one made (ctx.data is the shared bag).

**The demo's clock.** A salon's day happens in its working hours, whenever `manage.py demo`
is run: built at 04:13, the fifth tour found today's payments, the broadcast, the messages
and a bar of the day's sales at «04», and offers made in the waiting list's quiet hours.
So the demo is built as of `demo_now(real now)`:

- inside working hours (`OPENS`–`CLOSES`, every day: the demo salon works on Sundays
  too, as most Ukrainian salons do) it is the real now: today's past events happen up
  to now;
- otherwise it is `EVENING` of the last working day that has ended (at 04:13: yesterday
  19:30; at 21:00: today 19:30).

The whole build runs with `timezone.now()` answering that moment (`demo_clock`), so every
row stamped "now" is stamped then. It is never later than the real now: what the demo
says happened really is in the past. Events still to come are placed in working hours by
the hooks themselves (`working_moment`), never "now + N hours" into the night.

**The demo's today** (`DemoContext.today`) is the real date, not the clock's: a person who
opens the demo at 08:00 finds today's calendar full of visits — all still to come, none
arrived or paid — rather than an empty day (the clock is still last evening's).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from unittest import mock

from django.conf import settings
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.core.tenancy import organization_zone

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization, User

DEMO_SLUG = "demo"
DEMO_OWNER_LOGIN = "owner"
DEMO_PASSWORD = "zapys-demo-2026"  # the demo is for trying the product offline; never in production

#: The demo salon's working hours (its staff's hours, `schedule/demo.py`): every day, so
#: whatever the day a person tries the demo, today's calendar has visits.
OPENS = time(9)
CLOSES = time(20)
WORKDAYS = range(7)
#: The demo's "now" when it is built outside working hours: the last working evening.
EVENING = time(19, 30)


def demo_now(real: datetime, zone: tzinfo) -> datetime:
    """The moment the demo is built as of (module docstring): `real` inside working hours,
    else `EVENING` of the last working day that has ended. Never later than `real`."""
    local = real.astimezone(zone)
    if local.weekday() in WORKDAYS and OPENS <= local.time() < CLOSES:
        return real
    day = local.date()
    if local.weekday() not in WORKDAYS or local.time() < OPENS:
        day -= timedelta(days=1)
    while day.weekday() not in WORKDAYS:
        day -= timedelta(days=1)
    return datetime.combine(day, EVENING, zone)


def working_moment(after: datetime, zone: tzinfo, *, latest: time = time(18)) -> datetime:
    """The first hour or half past from `after` at which a visit may start in working hours
    (`OPENS` to `latest`, a working day): a coming event the demo places in the salon's day."""
    local = after.astimezone(zone)
    moment = local.replace(minute=local.minute // 30 * 30, second=0, microsecond=0)
    if moment < local:
        moment += timedelta(minutes=30)
    while True:
        if moment.weekday() in WORKDAYS and OPENS <= moment.time() <= latest:
            return moment
        if moment.time() > latest or moment.weekday() not in WORKDAYS:
            moment = datetime.combine(moment.date() + timedelta(days=1), OPENS, zone)
        else:
            moment = datetime.combine(moment.date(), OPENS, zone)


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
    #: The real date in the organization's zone (module docstring): the calendar's today.
    #: Before opening it is the day after the clock's (`now`); otherwise the clock's own.
    today: date = date.min

    def __post_init__(self) -> None:
        if self.today == date.min:
            self.today = self.now.astimezone(organization_zone(self.organization)).date()

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
