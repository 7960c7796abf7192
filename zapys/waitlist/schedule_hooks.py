"""What the waiting list plugs into the schedule (see `schedule.hooks`): freed time is
offered to the clients waiting for it, and a time taken (booked by staff or online, a visit
moved onto it) closes the offers holding it, inside the booking's transaction."""

from __future__ import annotations

from zapys.schedule import hooks
from zapys.waitlist.services import offers_close_for_taken_time, offers_for_freed_visits

hooks.register_after_time_freed(offers_for_freed_visits)
hooks.register_time_taking(offers_close_for_taken_time)
