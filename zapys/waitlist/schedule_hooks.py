"""What the waiting list plugs into the schedule (see `schedule.hooks`): freed time is
offered to the clients waiting for it, and a time booked online closes the offers holding it."""

from __future__ import annotations

from zapys.schedule import hooks
from zapys.waitlist.services import offers_close_for_booked_visit, offers_for_freed_visits

hooks.register_after_time_freed(offers_for_freed_visits)
hooks.register_after_online_visit_created(offers_close_for_booked_visit)
