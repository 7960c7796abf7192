"""Extension points the apps above the schedule plug into (the prepayment app today).

Each app declares what it plugs in in its own `schedule_hooks.py`, found the first time a
hook is used (like `ledger_hooks.py` and `jobs.py`): the schedule names no app above it, and
an app adds itself without editing anyone's `AppConfig.ready`::

    # zapys/<app>/schedule_hooks.py
    from zapys.schedule import hooks
    hooks.register_after_online_visit_created(my_handler)   # my_handler(visit) -> None
    hooks.register_bookings_for(my_bookings)                # my_bookings(visits) -> {id: dict}

After a client books online, the prepayment app decides whether the visit needs a
prepayment and, if so, starts the paid booking (sends the payment link). The handler runs
after the visit's transaction has committed, inside the visit's organization scope, with the
visit loaded fresh. The default (no handler) does nothing. A failing handler is logged and
does not undo the booking: the visit is already the client's, and staff can start the
prepayment by hand.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

from zapys.core.tenancy import org_scope, unscoped
from zapys.schedule.models import Visit

logger = logging.getLogger(__name__)

OnlineVisitHandler = Callable[[Visit], None]
BookingsFor = Callable[[list[Visit]], dict[int, dict]]

_after_online_visit_created: list[OnlineVisitHandler] = []
_bookings_for: list[BookingsFor] = []


@functools.cache
def _discover() -> None:
    """Import every installed app's `schedule_hooks` once (they register on import; an
    import that fails is not cached and is tried again on the next use)."""
    autodiscover_modules("schedule_hooks")


def register_after_online_visit_created(handler: OnlineVisitHandler) -> OnlineVisitHandler:
    """Register `handler(visit)`; usable as a decorator. Registering twice is a no-op."""
    if handler not in _after_online_visit_created:
        _after_online_visit_created.append(handler)
    return handler


def unregister_after_online_visit_created(handler: OnlineVisitHandler) -> None:
    if handler in _after_online_visit_created:
        _after_online_visit_created.remove(handler)


def run_after_online_visit_created(visit_id: int) -> None:
    """Called by `online_booking_create` on commit."""
    _discover()
    if not _after_online_visit_created:
        return
    with unscoped():
        visit = Visit.objects.select_related("organization").filter(pk=visit_id).first()
    if visit is None:
        return
    with org_scope(visit.organization):
        for handler in list(_after_online_visit_created):
            try:
                handler(visit)
            except Exception:
                logger.exception("after_online_visit_created handler %r failed", handler)


# --- booking shown on a visit (GET /api/v1/visits/{id} → "booking") ----------------------


def register_bookings_for(func: BookingsFor) -> BookingsFor:
    """The prepayment app registers `func(visits) -> {visit_id: booking dict}` (one query
    for the whole list); visits missing from the result show `booking: null`."""
    if func not in _bookings_for:
        _bookings_for.append(func)
    return func


def bookings_for(visits: list[Visit]) -> dict[int, dict]:
    _discover()
    found: dict[int, dict] = {}
    for func in _bookings_for:
        found.update(func(visits))
    return found
