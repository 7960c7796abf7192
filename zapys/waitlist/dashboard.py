"""Dashboard card of the waiting list: the slots re-sold from it (count and money, 30 days)
and how many clients wait."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from zapys.core.http import request_organization
from zapys.core.money import format_money
from zapys.waitlist.models import Entry
from zapys.waitlist.selectors import resold


def widgets(request: HttpRequest) -> list[dict]:
    organization = request_organization(request)
    sold = resold()
    waiting = Entry.objects.filter(status__in=(Entry.Status.WAITING, Entry.Status.OFFERED)).count()
    if not sold["count"] and not waiting:
        return []
    language = (get_language() or "uk")[:2]
    return [
        {
            "title": _("Slots re-sold from the waiting list"),
            "value": format_money(sold["amount"], organization.currency or "UAH", language),
            "icon": "arrow-repeat",
            "order": 45,
            "url": reverse("waitlist:list"),
            "hint": ngettext("%(n)s slot, 30 days", "%(n)s slots, 30 days", sold["count"])
            % {"n": sold["count"]}
            + " · "
            + _("%(n)s waiting") % {"n": waiting},
        }
    ]
