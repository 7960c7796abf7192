"""What visit messages plug into the schedule (`schedule.hooks`): a booking is confirmed.

Online: after the public page's booking commits (`register_after_online_visit_created`; the
prepayment app's handler runs first and marks a visit that waits for a payment, which then
gets no confirmation). Staff and the API: after any `visit_create` commits
(`register_after_visit_created`), for the visits not booked online — a visit the waiting
list books is online-sourced and its own «we received…» message confirms it.

A visit moved to another time or specialist (`register_after_time_vacated`: the schedule
calls it after the move commits, with the times the visits left): the client is told the
new time, if the organization tells moves.
"""

from __future__ import annotations

from zapys.schedule import hooks
from zapys.schedule.models import Visit
from zapys.visit_messages.services import confirmation_send, moved_notices


@hooks.register_after_online_visit_created
def confirm_online_booking(visit: Visit) -> None:
    confirmation_send(visit)


@hooks.register_after_visit_created
def confirm_staff_booking(visit: Visit) -> None:
    if visit.source != Visit.Source.ONLINE:
        confirmation_send(visit)


@hooks.register_after_time_vacated
def tell_moved_visits(times: list[hooks.VacatedTime]) -> None:
    moved_notices(times)
