"""Dashboard card of online sales: purchases paid but not attached to a client."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.dashboard import dashboard_branch
from zapys.core.http import request_organization
from zapys.online_sales.models import OnlineSale

STALE_DAYS = 3


def widgets(request: HttpRequest) -> list[dict]:
    request_organization(request)  # a staff page of an organization
    edge = timezone.now() - timedelta(days=STALE_DAYS)
    waiting = OnlineSale.objects.filter(status=OnlineSale.Status.PAID)
    branch = dashboard_branch(request)
    if branch is not None:  # the header's branch, as every card: where the money landed
        waiting = waiting.filter(operation__branch_id=branch.pk)
    totals = waiting.aggregate(waiting=Count("id"), stale=Count("id", filter=Q(paid_at__lte=edge)))
    if not totals["waiting"]:
        return []
    return [
        {
            "title": _("Online sales to attach"),
            "value": totals["waiting"],
            "icon": "bag-check",
            "order": 35,
            "url": f"{reverse('online_sales:sales')}?status=paid",
            "hint": _("%(n)s older than %(days)s days") % {"n": totals["stale"], "days": STALE_DAYS}
            if totals["stale"]
            else "",
        }
    ]
