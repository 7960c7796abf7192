"""Writes for the schedule, one module per concern:

- `statuses`: the visit statuses (default set, custom ones, system-only ones);
- `schedule_settings`: the organization's schedule settings;
- `hours`: specialists' working hours and their exceptions;
- `occupancy`: the double-booking guard and the status move shared by the modules below;
- `visits`: individual appointments (create, move, edit, status, cancel, booking state);
- `lessons`: group lessons, weekly series, participants;
- `attendance`: attendance marks and the charge that goes with "attended";
- `online`: a client booking themself on the public page.

Callers import from `zapys.schedule.services`; the names below are the public ones. Reads
(`schedule_settings_for`, free slots, lists) live in `zapys.schedule.selectors`.
"""

from zapys.schedule.services.attendance import attendance_mark
from zapys.schedule.services.hours import (
    hours_exception_create,
    hours_exception_delete,
    staff_hours_set,
)
from zapys.schedule.services.lessons import (
    MAX_LESSONS_IN_SERIES,
    lesson_create,
    lesson_participant_add,
)
from zapys.schedule.services.online import (
    RateLimited,
    online_attempt_record,
    online_booking_create,
)
from zapys.schedule.services.schedule_settings import (
    SETTINGS_BOUNDS,
    SETTINGS_FIELDS,
    schedule_settings_update,
)
from zapys.schedule.services.statuses import (
    DEFAULT_STATUSES,
    STATUS_FIELDS,
    SYSTEM_ACTOR_KINDS,
    visit_status_create,
    visit_status_default,
    visit_status_update,
    visit_statuses_ensure,
)
from zapys.schedule.services.visits import (
    visit_booking_state_set,
    visit_cancel,
    visit_create,
    visit_reschedule,
    visit_status_set,
    visit_update,
)

__all__ = [
    "DEFAULT_STATUSES",
    "MAX_LESSONS_IN_SERIES",
    "SETTINGS_BOUNDS",
    "SETTINGS_FIELDS",
    "STATUS_FIELDS",
    "SYSTEM_ACTOR_KINDS",
    "RateLimited",
    "attendance_mark",
    "hours_exception_create",
    "hours_exception_delete",
    "lesson_create",
    "lesson_participant_add",
    "online_attempt_record",
    "online_booking_create",
    "schedule_settings_update",
    "staff_hours_set",
    "visit_booking_state_set",
    "visit_cancel",
    "visit_create",
    "visit_reschedule",
    "visit_status_create",
    "visit_status_default",
    "visit_status_set",
    "visit_status_update",
    "visit_statuses_ensure",
    "visit_update",
]
