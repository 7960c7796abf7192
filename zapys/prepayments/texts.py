"""What a booking's ledger comments and staff notifications call the visit (issue 17).

A salon administrator does not know booking or visit numbers: "Передоплата за бронювання
№2, платіж №5" said nothing they could act on. A visit is named by what it is and when:
the service (a group lesson by its group, subject or type) and its start in the
organization's time zone, «Стрижка жіноча, 7 грудня о 15:00». It is a `StoredText`, so a
comment written by a Ukrainian payment callback reads "Women's haircut, 7 December at
15:00" on an English page: the service's name is data (as the salon typed it), the date's
words are the reader's, the clock is the organization's (`core.stored_text.Moment`).

The texts these names replaced stay in the catalogue (`FORMER_TEXTS`): rows stored before
keep their msgid and parameters ("booking #%(b)s") and still render in each language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_noop

from zapys.core.stored_text import Moment, Param, StoredText

if TYPE_CHECKING:
    from zapys.accounts.models import Organization
    from zapys.schedule.models import Visit


#: What `visit_named` reads through a row's `visit` (a booking's, a fee's): joined to the
#: row's own query, so naming a visit costs no query of its own.
VISIT_NAMED_BY = (
    "visit",
    "visit__service",
    "visit__group",
    "visit__subject",
    "visit__lesson_type",
)


def visit_what(visit: Visit) -> Param:
    """The visit's "what" (`Visit.title` as stored text): a service, group, subject or
    lesson type as named (data); only the generic word is the reader's."""
    if visit.kind == visit.Kind.LESSON:
        named = visit.group or visit.subject or visit.lesson_type
        return str(named) if named is not None else StoredText(gettext_noop("Lesson"))
    return str(visit.service) if visit.service_id else StoredText(gettext_noop("Visit"))


def visit_named(visit: Visit, organization: Organization) -> StoredText:
    """«Стрижка жіноча, 7 грудня о 15:00» / "Women's haircut, 7 December at 15:00".

    `organization` is the visit's (given, not read through the visit: the callers hold it
    already, so naming a visit costs no query); the visit's service or group loaded."""
    zone = organization.time_zone or settings.TIME_ZONE
    return StoredText(
        gettext_noop("%(what)s, %(when)s"),
        what=visit_what(visit),
        when=Moment(visit.starts_at, zone),
    )


#: What the comments and notifications said before they named the visit: rows stored then
#: keep these msgids and their parameters (numbers), so the catalogue keeps them (marked
#: here, so `makemessages` does not drop them) and old rows still read in each language.
FORMER_TEXTS = (
    gettext_noop("Prepayment for booking #%(b)s, payment #%(p)s"),
    gettext_noop("Prepayment paid after the deadline: booking #%(id)s"),
    gettext_noop("Booking #%(id)s was paid twice"),
    gettext_noop("Prepayment received late/twice, booking #%(b)s, payment #%(p)s"),
    gettext_noop("Booking #%(id)s: prepayment taken from the balance"),
    gettext_noop("Booking #%(id)s: prepayment deposited from the balance"),
    gettext_noop("Refund of prepayment, booking #%(b)s, payment #%(p)s"),
    gettext_noop("Late cancellation fee, visit #%(visit)s"),
    gettext_noop("No-show fee, visit #%(visit)s"),
    gettext_noop("#%(number)s %(name)s"),
)
