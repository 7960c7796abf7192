"""Extension points the apps above the schedule plug into (the prepayment app today).

Each app declares what it plugs in in its own `schedule_hooks.py`, found the first time a
hook is used (like `ledger_hooks.py` and `jobs.py`): the schedule names no app above it, and
an app adds itself without editing anyone's `AppConfig.ready`::

    # zapys/<app>/schedule_hooks.py
    from zapys.schedule import hooks
    hooks.register_after_online_visit_created(my_handler)   # my_handler(visit) -> None
    hooks.register_bookings_for(my_bookings)                # my_bookings(visits) -> {id: dict}
    hooks.register_balance_held(my_held)                    # my_held(visit, ids) -> {id: int}
    hooks.register_balances_held(my_holds)   # my_holds(org, ids) -> {id: {visit_id: int}}
    hooks.register_after_time_freed(my_offer)               # my_offer(visit_ids) -> None
    hooks.register_after_time_vacated(my_moved)             # my_moved([VacatedTime]) -> None

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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from zapys.core.tenancy import org_scope, unscoped
from zapys.schedule.models import Visit, VisitStatus

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
    _run_for_visit(_after_online_visit_created, visit_id, "after_online_visit_created")


# --- after any appointment is created (staff, the API, online, the waiting list) -----------

_after_visit_created: list[OnlineVisitHandler] = []


def register_after_visit_created(handler: OnlineVisitHandler) -> OnlineVisitHandler:
    """Register `handler(visit)`, called like the online one (after the commit, in the
    visit's organization scope, a failure logged) for every `visit_create`; the handler reads
    `visit.source`. Registering twice is a no-op."""
    if handler not in _after_visit_created:
        _after_visit_created.append(handler)
    return handler


def run_after_visit_created(visit_id: int) -> None:
    """Called by `visit_create` on commit."""
    _discover()
    _run_for_visit(_after_visit_created, visit_id, "after_visit_created")


def _run_for_visit(handlers: list, visit_id: int, label: str) -> None:
    """Call each handler with the visit, inside its organization's scope (an on-commit
    callback runs outside any request's scope); one handler's failure is logged and does not
    stop the others. Nothing is read when no app registered."""
    if not handlers:
        return
    with unscoped():
        visit = Visit.objects.select_related("organization").filter(pk=visit_id).first()
    if visit is None:
        return
    with org_scope(visit.organization):
        for handler in list(handlers):
            try:
                handler(visit)
            except Exception:
                logger.exception("%s handler %r failed", label, handler)


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


# --- balance other visits' prepayments hold (the checkout spends only the free part) -------

BalanceHeld = Callable[[Visit, list[int]], dict[int, int]]
_balance_held: list[BalanceHeld] = []


def register_balance_held(func: BalanceHeld) -> BalanceHeld:
    """The prepayment app registers `func(visit, client_ids) -> {client_id: kopecks}`: the
    part of each client's balance that paid prepayments of their other visits (not `visit`)
    hold until those visits are settled, in one query for all the clients."""
    if func not in _balance_held:
        _balance_held.append(func)
    return func


def balance_held(visit: Visit, client_ids: list[int]) -> dict[int, int]:
    _discover()
    held: dict[int, int] = {}
    for func in _balance_held:
        for client_id, amount in func(visit, client_ids).items():
            held[client_id] = held.get(client_id, 0) + amount
    return held


BalancesHeld = Callable[[Any, list[int]], dict[int, dict[int, int]]]
_balances_held: list[BalancesHeld] = []


def register_balances_held(func: BalancesHeld) -> BalancesHeld:
    """The prepayment app registers `func(organization, client_ids) -> {client_id: {visit_id:
    kopecks}}`: what paid prepayments hold of each client's balance, visit by visit, in one
    query for all the clients — for a list of many visits at once (the unpaid list, the
    dashboard), where each visit's checkout may spend only what the client's *other* visits
    do not hold."""
    if func not in _balances_held:
        _balances_held.append(func)
    return func


def balances_held(organization: Any, client_ids: list[int]) -> dict[int, dict[int, int]]:
    _discover()
    held: dict[int, dict[int, int]] = {}
    for func in _balances_held:
        for client_id, visits in func(organization, client_ids).items():
            mine = held.setdefault(client_id, {})
            for visit_id, amount in visits.items():
                mine[visit_id] = mine.get(visit_id, 0) + amount
    return held


# --- after a visit's time is freed (the waiting list offers it) ----------------------------

TimeFreedHandler = Callable[[list[int]], None]

_after_time_freed: list[TimeFreedHandler] = []


def register_after_time_freed(handler: TimeFreedHandler) -> TimeFreedHandler:
    """Register `handler(visit_ids)`: visits whose time was freed — an appointment cancelled
    (by staff, by the client, by auto-cancel, in bulk) or a seat of a group lesson freed.
    Called after the freeing transaction commits, outside any organization scope (the ids
    may span organizations: the handler scopes itself). Registering twice is a no-op."""
    if handler not in _after_time_freed:
        _after_time_freed.append(handler)
    return handler


def unregister_after_time_freed(handler: TimeFreedHandler) -> None:
    if handler in _after_time_freed:
        _after_time_freed.remove(handler)


def run_after_time_freed(visit_ids: list[int]) -> None:
    """Called on commit by every path that frees time (`status_move` to a cancellation,
    `visits_cancel_many`, a lesson seat cancelled in `attendance_mark`). A failing handler
    is logged: the cancellation stands."""
    _discover()
    if not visit_ids:
        return
    for handler in list(_after_time_freed):
        try:
            handler(list(visit_ids))
        except Exception:
            logger.exception("after_time_freed handler %r failed", handler)


def time_freed_on_commit(visit_ids: list[int]) -> None:
    """Schedule `run_after_time_freed` for when the current transaction commits."""
    ids = list(visit_ids)
    if ids:
        transaction.on_commit(lambda: run_after_time_freed(ids))


# --- a visit moved away from its time (the waiting list offers the old time) --------------


@dataclass(frozen=True)
class VacatedTime:
    """The time a visit held before it moved (another start or another specialist): free
    now, as a cancelled visit's time is, while the visit holds its new one."""

    visit_id: int
    staff_id: int
    starts_at: datetime
    ends_at: datetime


TimeVacatedHandler = Callable[[list[VacatedTime]], None]

_after_time_vacated: list[TimeVacatedHandler] = []


def register_after_time_vacated(handler: TimeVacatedHandler) -> TimeVacatedHandler:
    """Register `handler(times)`, called after the move commits, outside any organization
    scope, like `register_after_time_freed`. Registering twice is a no-op."""
    if handler not in _after_time_vacated:
        _after_time_vacated.append(handler)
    return handler


def unregister_after_time_vacated(handler: TimeVacatedHandler) -> None:
    if handler in _after_time_vacated:
        _after_time_vacated.remove(handler)


def run_after_time_vacated(times: list[VacatedTime]) -> None:
    """A failing handler is logged: the move stands."""
    _discover()
    if not times:
        return
    for handler in list(_after_time_vacated):
        try:
            handler(list(times))
        except Exception:
            logger.exception("after_time_vacated handler %r failed", handler)


def time_vacated_on_commit(times: list[VacatedTime]) -> None:
    """Schedule `run_after_time_vacated` for when the current transaction commits
    (`visit_reschedule`: the calendar's drag and move dialog, the API's reschedule)."""
    found = list(times)
    if found:
        transaction.on_commit(lambda: run_after_time_vacated(found))


# --- a visit's status changes: cancellation and no-show (the prepayment app's policy) ------
#
#     hooks.register_visit_status_handler(on_status)   # on_status(visit, **kw) -> dict | None
#     hooks.register_visit_cancel_page(cancel_page)    # cancel_page(visit) -> url | None
#
# `visit_status_set` calls every handler inside its transaction after the visit moved, with
# `before` and `after` (the statuses), `actor`, `now` and `options` (what the caller passed:
# the API's `by`, `waive_fee`, `reason`, `rest`). A handler that raises undoes the move (a
# waiver without a reason is a field error and the visit stays as it was). What handlers
# return is merged and set on the visit as `status_effects` (the API's `cancellation`).
# A cancel page is where staff must choose first (the visit holds money); the schedule's
# cancel button goes there instead of cancelling at once.

VisitStatusHandler = Callable[..., "dict | None"]
CancelPage = Callable[[Visit], "str | None"]

_visit_status_handlers: list[VisitStatusHandler] = []
_visit_cancel_pages: list[CancelPage] = []


def register_visit_status_handler(handler: VisitStatusHandler) -> VisitStatusHandler:
    if handler not in _visit_status_handlers:
        _visit_status_handlers.append(handler)
    return handler


def run_visit_status_handlers(visit: Visit, **kwargs: object) -> dict:
    _discover()
    effects: dict = {}
    for handler in list(_visit_status_handlers):
        found = handler(visit, **kwargs)
        if found:
            effects.update(found)
    return effects


def register_visit_cancel_page(func: CancelPage) -> CancelPage:
    if func not in _visit_cancel_pages:
        _visit_cancel_pages.append(func)
    return func


def visit_cancel_page(visit: Visit) -> str | None:
    _discover()
    for func in _visit_cancel_pages:
        url = func(visit)
        if url:
            return url
    return None


# --- before a visit is locked for a status move (the prepayment app's locks come first) ----
#
#     hooks.register_visit_status_locking(on_locking)  # on_locking(visit, status) -> None
#
# `visit_status_set` calls these *before* it locks the visit's row. A cancellation closes
# the visit's booking and its payment link, and that link's provider callback locks the
# payment, then the booking, then the visit (payments/locks.py's order): a handler takes the
# payment and the booking there, so the cancel never holds the visit while waiting for them.

VisitStatusLocking = Callable[[Visit, VisitStatus], None]
_visit_status_locking: list[VisitStatusLocking] = []


def register_visit_status_locking(handler: VisitStatusLocking) -> VisitStatusLocking:
    if handler not in _visit_status_locking:
        _visit_status_locking.append(handler)
    return handler


def run_visit_status_locking(visit: Visit, status: VisitStatus) -> None:
    _discover()
    for handler in list(_visit_status_locking):
        handler(visit, status)


# --- a visit takes a specialist's time (the waiting list closes the offers holding it) -----
#
#     hooks.register_time_taking(on_taking)
#     # on_taking(*, organization, staff_id, starts_at, ends_at, actor)
#     #     -> Callable[[Visit], None] | None
#
# Every path that takes a specialist's time — a visit created (staff, API, online), moved or
# resized, a cancelled one restored, a group lesson — calls the handlers inside its own
# transaction *before* it locks the specialist's row (`occupancy.time_take`). A handler locks
# what it holds of that time there (the waiting list's open offers, in id order: a payment
# for an offer locks the offers first and the specialist second, so the booking must take
# them in the same order or the two deadlock) and returns what to do once the visit holds
# the time (called with the saved visit). A refused booking (the time is busy) raises, and
# the transaction undoes whatever a handler did.

TimeTaking = Callable[..., "Callable[[Visit], None] | None"]

_time_taking: list[TimeTaking] = []


def register_time_taking(handler: TimeTaking) -> TimeTaking:
    """Register `handler`; registering twice is a no-op."""
    if handler not in _time_taking:
        _time_taking.append(handler)
    return handler


def unregister_time_taking(handler: TimeTaking) -> None:
    if handler in _time_taking:
        _time_taking.remove(handler)


def run_time_taking(**kwargs: object) -> Callable[[Visit], None]:
    """Run every handler (before the specialist is locked); the result runs, once the visit
    is saved, what each handler returned."""
    _discover()
    then = [after for handler in list(_time_taking) if (after := handler(**kwargs)) is not None]

    def taken(visit: Visit) -> None:
        for after in then:
            after(visit)

    return taken


# --- a seat of a group lesson is taken (the waiting list closes the seat offers it beats) --
#
#     hooks.register_seat_taking(on_seat)
#     # on_seat(*, organization, lesson_id, actor) -> Callable[[int, int], None] | None
#
# `lesson_participant_add` (staff add a client) calls the handlers inside its transaction
# *before* it locks the lesson's row — a payment for a seat offer locks the offers first
# and the lesson second — and, once the participant is added, calls what they returned with
# the client's id and the seats left. A refused add (full, a duplicate) raises and the
# transaction undoes whatever a handler did.

SeatTaking = Callable[..., "Callable[[int, int], None] | None"]

_seat_taking: list[SeatTaking] = []


def register_seat_taking(handler: SeatTaking) -> SeatTaking:
    """Register `handler`; registering twice is a no-op."""
    if handler not in _seat_taking:
        _seat_taking.append(handler)
    return handler


def unregister_seat_taking(handler: SeatTaking) -> None:
    if handler in _seat_taking:
        _seat_taking.remove(handler)


def run_seat_taking(**kwargs: object) -> Callable[[int, int], None]:
    """Run every handler (before the lesson is locked); call the result with the added
    client's id and the seats left once the participant is saved."""
    _discover()
    then = [after for handler in list(_seat_taking) if (after := handler(**kwargs)) is not None]

    def taken(client_id: int, seats_left: int) -> None:
        for after in then:
            after(client_id, seats_left)

    return taken
