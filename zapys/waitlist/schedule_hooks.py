"""What the waiting list plugs into the schedule (see `schedule.hooks`): freed time is
offered to the clients waiting for it."""

from __future__ import annotations

from zapys.schedule import hooks
from zapys.waitlist.services import offers_for_freed_visits

hooks.register_after_time_freed(offers_for_freed_visits)
