"""What the waiting list plugs into the schedule (see `schedule.hooks`): freed time is
offered to the clients waiting for it — a cancelled visit's, a freed seat's, and the old
time of a visit moved away from it — and a time taken (booked by staff or online, a visit
moved onto it) or a lesson's seat taken closes the offers holding it, inside the booking's
transaction."""

from __future__ import annotations

from zapys.schedule import hooks
from zapys.waitlist.services import (
    offers_close_for_taken_seat,
    offers_close_for_taken_time,
    offers_for_freed_visits,
    offers_for_vacated_times,
)

hooks.register_after_time_freed(offers_for_freed_visits)
hooks.register_after_time_vacated(offers_for_vacated_times)
hooks.register_time_taking(offers_close_for_taken_time)
hooks.register_seat_taking(offers_close_for_taken_seat)
