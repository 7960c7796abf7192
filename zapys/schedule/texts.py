"""What a text the system stores calls a visit: what it is and when (issue 17).

A salon administrator does not know booking, visit or payment numbers. A visit is named by
what it is — the service, a group lesson by its group, subject or type — and its start in
the organization's time zone: «Стрижка жіноча, 7 грудня о 15:00». It is a `StoredText`, so
a ledger comment written by a Ukrainian payment callback reads "Women's haircut, 7 December
at 15:00" on an English page: the service's name is data (as the salon typed it), the
date's words are the reader's, the clock is the organization's (`core.stored_text.Moment`).

It lives with the visit so that every app naming one — prepayments' comments and
notifications, the checkout's ledger comments — says it the same way (they are peers and may
not import each other; DESIGN rule 14).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_noop

from zapys.core.stored_text import Moment, Param, StoredText

if TYPE_CHECKING:
    from zapys.accounts.models import Organization
    from zapys.schedule.models import Visit


#: What `visit_named` reads through a row's `visit` (a booking's, a fee's, a checkout's):
#: joined to the row's own query, so naming a visit costs no query of its own.
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
