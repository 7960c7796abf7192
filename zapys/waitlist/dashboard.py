"""Dashboard card of the waiting list: the freed times filled from it (count and money, 30
days) and how many clients wait, in the header's branch. "Filled", as on the list page: one name for one thing, and
not "re-sold", which read as profiteering on a client's cancellation."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from zapys.core.dashboard import dashboard_branch
from zapys.core.http import request_organization
from zapys.core.money import format_money
from zapys.waitlist.selectors import resold, waiting_count


def widgets(request: HttpRequest) -> list[dict]:
    """Two queries, in the header's branch as every card (`selectors.entry_in_branch`: who
    could be served there) or organization-wide."""
    organization = request_organization(request)
    branch = dashboard_branch(request)
    sold = resold(branch=branch)
    waiting = waiting_count(branch)
    if not sold["count"] and not waiting:
        return []
    language = (get_language() or "uk")[:2]
    return [
        {
            "title": _("Filled from the waiting list"),
            "value": format_money(sold["amount"], organization.currency or "UAH", language),
            "icon": "arrow-repeat",
            "order": 45,
            # the list in the same branch: the entries the card counts (`entry_in_branch`)
            "url": reverse("waitlist:list") + (f"?branch={branch.pk}" if branch else ""),
            # one phrase, not a list of figures: «1 віконце за 30 днів · чекають: 4»
            "hint": ngettext("%(n)s slot in 30 days", "%(n)s slots in 30 days", sold["count"])
            % {"n": sold["count"]}
            + " · "
            + _("%(n)s waiting") % {"n": waiting},
        }
    ]
