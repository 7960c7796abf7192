"""What a button that changes a visit's status or a participant's attendance says.

A badge says the state a visit is in («Підтверджено», «Відвідано»); a button that puts it
there says what the person does («Підтвердити», «Відмітити прихід»). The review of
2026-12-05 found the visit card's buttons worded as states: «Підтверджено» next to the
badge «Записано» read as a second status, not as something to press.

The seeded statuses have their own verbs, as long as the organization has not renamed them
(a renamed "confirmed" may mean something else to that salon); any other status, custom or
renamed, is «Позначити: <its name>». The attendance marks of a lesson's participants (and
of the rows of the day's visits) use the same verbs as the statuses they move a visit to;
undoing a mark is «Зняти відмітку».

A button is offered only when the service accepts it (`attendance_actions_for`): «Візити
дня» offered «Зняти відмітку» and «Відмітити прихід» on a cancelled visit, which
`attendance_mark` then refused («Візит скасовано»).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import pgettext, pgettext_lazy

from zapys.core.system_names import is_default_name
from zapys.schedule.services.statuses import DEFAULT_STATUS_NAMES, FORMER_STATUS_NAMES

if TYPE_CHECKING:
    from zapys.schedule.models import Attendance, Visit, VisitStatus

_BOOKED = pgettext_lazy("visit status action", "Back to booked")
_ATTENDED = pgettext_lazy("visit status action", "Mark attended")
_NO_SHOW = pgettext_lazy("visit status action", "Mark no-show")
_CANCEL = pgettext_lazy("visit status action", "Cancel")

#: The verb of each seeded status, by code (the system ones are never set by a button).
STATUS_ACTIONS = {
    "booked": _BOOKED,
    "confirmed": pgettext_lazy("visit status action", "Confirm"),
    "came": _ATTENDED,
    "no_show": _NO_SHOW,
    "cancelled": _CANCEL,
}

#: The verb of each attendance state (`Attendance.State` values): the same as the status
#: it moves a client's own visit to (`services.attendance.attendance_mark`), but "not yet
#: marked" is undoing a mark: short, as a lesson's card has a row of these per participant.
ATTENDANCE_ACTIONS = {
    "planned": pgettext_lazy("attendance action", "Clear the mark"),
    "attended": _ATTENDED,
    "absent": _NO_SHOW,
    "cancelled": _CANCEL,
}


def status_action(status: VisitStatus) -> str:
    """The label of the button that sets `status`, in the active language."""
    action = STATUS_ACTIONS.get(status.code)
    unrenamed = is_default_name(
        status.name, DEFAULT_STATUS_NAMES.get(status.code), FORMER_STATUS_NAMES.get(status.code, ())
    )
    if action is not None and unrenamed:
        return str(action)
    return pgettext("visit status action", "Mark: %(status)s") % {"status": status.display_name}


def attendance_actions() -> list[tuple[str, str]]:
    """(state, button label) for every attendance state, in `Attendance.State` order."""
    return [(state, str(label)) for state, label in ATTENDANCE_ACTIONS.items()]


def attendance_actions_for(
    visit: Visit, attendance: Attendance, *, marks_open: bool = True
) -> list[tuple[str, str]]:
    """(state, button label) of the marks `services.attendance_mark` accepts for this
    client of `visit`, by its own rules, read from the rows the page already has (no query):

    - a cancelled visit (it holds no time, whatever its status: a staff cancellation or a
      system one such as "cancelled: booking unpaid") takes no mark but «cancelled»: not
      «Зняти відмітку», not «Відмітити прихід». Nor «Повернути «Записано»»: bringing the
      visit back is a status change that takes its time again, which the visit's card does
      not offer either;
    - a full lesson: a cancelled participant stays cancelled (no place to come back to),
      and "booked" again needs a place besides the client's own, as the service counts
      (`participant_count`, the annotation of `selectors.calendar_visits`; else the
      prefetched attendances);
    - before the visit's day (`marks_open` False: `services.attendance.marks_open`) no
      «прийшов» / «не прийшов»: nobody has come yet.
    """
    if not marks_open:
        return [
            (state, label)
            for state, label in attendance_actions_for(visit, attendance)
            if state not in ("attended", "absent")
        ]
    current = attendance.state
    if not visit.blocks_time:
        allowed = {"cancelled"} - {current}
        return [(state, label) for state, label in attendance_actions() if state in allowed]
    taken = getattr(visit, "participant_count", None)
    if taken is None:
        taken = sum(1 for a in visit.attendances.all() if a.state != "cancelled")
    if current != "cancelled":
        taken -= 1  # the seat this client holds is theirs to keep
    full = taken >= visit.capacity

    def accepted(state: str) -> bool:
        if state == current:
            return False
        takes_a_seat = state == "planned" or current == "cancelled"
        return not (full and takes_a_seat and state != "cancelled")

    return [(state, label) for state, label in attendance_actions() if accepted(state)]
