"""The booking's visit, written only through the schedule's services: the visit locked for
a step of the booking, and its payment clock (grey/green/red on the calendar)."""

from __future__ import annotations

from zapys.core.audit import Actor
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_booking_state_set
from zapys.schedule.services.occupancy import locked_visit


def visit_locked(visit: Visit) -> Visit:
    """The visit row locked for this transaction (a payment and the staff's cancel of the
    same visit must not interleave), with what the booking's messages read."""
    return locked_visit(visit)  # the row alone first, then the joined read (see its doc)


def visit_clock_set(visit: Visit, state: str, actor: Actor) -> None:
    """The visit's booking state: "pending", "paid", "expired", "at_desk" or "" (none)."""
    visit_booking_state_set(visit=visit, state=state, actor=actor)
