"""Staff pages of the schedule and the public self-booking page, one module per page area;
`zapys.schedule.urls` names the views through this package."""

from zapys.schedule.views.attendance import client_visits, journal
from zapys.schedule.views.calendar import calendar
from zapys.schedule.views.hours import staff_hours, staff_hours_edit
from zapys.schedule.views.public import book, book_done
from zapys.schedule.views.schedule_settings import schedule_settings
from zapys.schedule.views.visits import (
    attendance_set,
    client_book,
    client_search,
    lesson_new,
    visit_cancel,
    visit_detail,
    visit_new,
    visit_reschedule,
    visit_service_check,
    visit_status,
)

__all__ = [
    "attendance_set",
    "book",
    "book_done",
    "calendar",
    "client_book",
    "client_search",
    "client_visits",
    "journal",
    "lesson_new",
    "schedule_settings",
    "staff_hours",
    "staff_hours_edit",
    "visit_cancel",
    "visit_detail",
    "visit_new",
    "visit_reschedule",
    "visit_service_check",
    "visit_status",
]
