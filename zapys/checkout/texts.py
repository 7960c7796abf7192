"""What the checkout's ledger comments call the visit (issue 17).

The money taken at the desk read «Візит Стрижка, 02.12.2026 09:00»: a numeric date in the
language of whoever pressed "Paid", and online payments and refunds named the payment's
number («Онлайн-оплата №12: …»), which a salon administrator does not know. Now a comment
names the visit as prepayments do (`schedule.texts.visit_named`, a `StoredText` with a
`Moment`): «Стрижка жіноча, 2 грудня о 09:00» for whoever reads it, "Women's haircut,
2 December at 09:00" on an English page.

The texts these replaced stay in the catalogue (`FORMER_TEXTS`): rows stored before keep
their msgid and parameters and still render in each language.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from zapys.core.stored_text import StoredText
from zapys.schedule.models import Visit
from zapys.schedule.texts import visit_named

__all__ = [
    "FORMER_TEXTS",
    "online_paid_otherwise_text",
    "online_payment_text",
    "online_refund_text",
    "paid_again_text",
    "visit_named",
]


def online_payment_text(visit: Visit) -> StoredText:
    """«Онлайн-оплата: Стрижка жіноча, 2 грудня о 09:00»."""
    return StoredText(
        gettext_noop("Online payment: %(visit)s"), visit=visit_named(visit, visit.organization)
    )


def online_paid_otherwise_text(visit: Visit) -> StoredText:
    """The link's money came for a visit settled meanwhile (it stays on the balance)."""
    return StoredText(
        gettext_noop("Online payment for a visit already paid otherwise: %(visit)s"),
        visit=visit_named(visit, visit.organization),
    )


def online_refund_text(visit: Visit | None) -> StoredText:
    """«Повернення онлайн-оплати: Стрижка жіноча, 2 грудня о 09:00» (the visit unknown: the
    words alone)."""
    if visit is None:
        return StoredText(gettext_noop("Refund of an online payment"))
    return StoredText(
        gettext_noop("Refund of the online payment: %(visit)s"),
        visit=visit_named(visit, visit.organization),
    )


def paid_again_text(visit: Visit) -> StoredText:
    """What a refund left owing, taken again at the desk."""
    return StoredText(
        gettext_noop("%(visit)s: paid again after a refund"),
        visit=visit_named(visit, visit.organization),
    )


#: What the comments said before they named the visit in words: rows stored then keep these
#: msgids and their parameters (a numeric date, a payment number), so the catalogue keeps
#: them (marked here, so `makemessages` does not drop them) and old rows still render.
FORMER_TEXTS = (
    gettext_noop("Visit %(what)s, %(when)s"),
    gettext_noop("Online payment #%(id)s for a visit paid otherwise"),
    gettext_noop("Online payment #%(id)s for %(what)s"),
    gettext_noop("Refund of online payment #%(id)s"),
    gettext_noop("Visit %(what)s, paid again after a refund"),
)
