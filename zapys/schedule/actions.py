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
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import pgettext, pgettext_lazy

from zapys.core.system_names import is_default_name
from zapys.schedule.services.statuses import DEFAULT_STATUS_NAMES, FORMER_STATUS_NAMES

if TYPE_CHECKING:
    from zapys.schedule.models import VisitStatus

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
