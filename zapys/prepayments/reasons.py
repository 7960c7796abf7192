"""Why a visit needs a prepayment (or not), as data and in words.

A decision (`selectors.prepayment_decision`) says why as a small dict; a booking keeps that
dict (`Booking.why`), and every page says it in its reader's language with `reason_text` —
not in the language someone happened to use when the booking was made."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _part_text(part: list[str]) -> str:
    kind, *values = part
    if kind == "service":
        return _("service “%(name)s”") % {"name": values[0]}
    if kind == "tag":
        return _("client tag “%(name)s”") % {"name": values[0]}
    if kind == "period":
        start, end = (
            formats.date_format(date.fromisoformat(v), "SHORT_DATE_FORMAT") if v else "…"
            for v in values
        )
        return _("period %(start)s – %(end)s") % {"start": start, "end": end}
    if kind == "online":
        return _("online self-booking")
    return _("booked by staff")


#: The reasons that are one sentence, by their `why["kind"]`.
_FIXED_REASONS = {
    "switched_off": gettext_lazy("prepayment is switched off"),
    "online_required": gettext_lazy("prepayment required: online self-booking"),
    "online_free": gettext_lazy("prepayment not required for online self-booking"),
    "no_rule": gettext_lazy("no rule requires prepayment"),
    "membership": gettext_lazy("prepayment not needed: the client's membership covers the visit"),
}


def reason_text(why: dict[str, Any]) -> str:
    """Why a visit needs (or not) a prepayment, in the active language (see `Decision`)."""
    kind = why.get("kind")
    if kind in _FIXED_REASONS:
        return str(_FIXED_REASONS[kind])
    if kind == "requested":
        # staff asked for a prepayment the rules did not require: one sentence per case, as
        # a person would say it, not the rule's own reason glued behind "by the rules"
        return _requested_text(why.get("rule") or {})
    if kind != "rule":
        return ""
    what = ", ".join(_part_text(p) for p in why.get("parts", [])) or _("every visit")
    if why.get("action") == "waive":
        return _("prepayment waived: %(what)s") % {"what": what}
    return _("prepayment required: %(what)s") % {"what": what}


def _requested_text(rule: dict[str, Any]) -> str:
    kind = rule.get("kind")
    if kind == "no_rule" or not kind:
        return _("requested by staff; no rule requires a prepayment")
    if kind == "online_free":
        return _("requested by staff; online self-bookings need no prepayment")
    if kind == "rule" and rule.get("action") == "waive":
        what = ", ".join(_part_text(p) for p in rule.get("parts", [])) or _("every visit")
        return _("requested by staff, although a rule waives the prepayment (%(what)s)") % {
            "what": what
        }
    return _("requested by staff; %(rule)s") % {"rule": reason_text(rule)}
