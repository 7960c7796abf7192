"""What a booking's ledger comments and staff notifications call the visit (issue 17).

A salon administrator does not know booking or visit numbers: "Передоплата за бронювання
№2, платіж №5" said nothing they could act on. A visit is named by what it is and when:
the service (a group lesson by its group, subject or type) and its start in the
organization's time zone, «Стрижка жіноча, 7 грудня о 15:00». It is a `StoredText`, so a
comment written by a Ukrainian payment callback reads "Women's haircut, 7 December at
15:00" on an English page: the service's name is data (as the salon typed it), the date's
words are the reader's, the clock is the organization's (`core.stored_text.Moment`). The
naming is the schedule's (`schedule.texts.visit_named`): the checkout names a visit too.

The texts these names replaced stay in the catalogue (`FORMER_TEXTS`): rows stored before
keep their msgid and parameters ("booking #%(b)s") and still render in each language.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from zapys.core.stored_text import text_renamed

# How a visit is named lives with the visit (the checkout names one too); kept importable
# from here for the prepayments' modules.
from zapys.schedule.texts import VISIT_NAMED_BY, visit_named, visit_what

__all__ = ["FORMER_TEXTS", "VISIT_NAMED_BY", "visit_named", "visit_what"]


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

#: ... and how those rows read now: their parameters hold numbers only (no visit to name), so
#: the numbers stay, but the thing is a prepayment, not a "booking" (`text_renamed`).
for _former, _today in (
    (FORMER_TEXTS[0], gettext_noop("Prepayment #%(b)s, payment #%(p)s")),
    (FORMER_TEXTS[1], gettext_noop("Prepayment #%(id)s paid after the deadline")),
    (FORMER_TEXTS[2], gettext_noop("Prepayment #%(id)s was paid twice")),
    (FORMER_TEXTS[3], gettext_noop("Prepayment #%(b)s received late or twice, payment #%(p)s")),
    (FORMER_TEXTS[4], gettext_noop("Prepayment #%(id)s taken from the balance")),
    (FORMER_TEXTS[5], gettext_noop("Prepayment #%(id)s deposited from the balance")),
    (FORMER_TEXTS[6], gettext_noop("Refund of prepayment #%(b)s, payment #%(p)s")),
):
    text_renamed(_former, _today)
