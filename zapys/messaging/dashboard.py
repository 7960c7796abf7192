"""Dashboard cards: unread notifications for everyone, undelivered messages for managers."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from zapys.messaging.models import Message
from zapys.messaging.selectors import unread_notification_count


def widgets(request: HttpRequest) -> list[dict]:
    user = request.user
    organization = user.organization  # type: ignore[union-attr]
    cards = [
        {
            "title": _("Unread notifications"),
            "value": unread_notification_count(organization=organization, user=user),  # type: ignore[arg-type]
            "icon": "bell",
            "order": 50,
            "url": reverse("messaging:notifications"),
            "hint": "",
        }
    ]
    if user.role in ("owner", "administrator"):  # type: ignore[union-attr]
        counts = Message.objects.for_org(organization).aggregate(
            failed=Count("id", filter=Q(status=Message.Status.FAILED)),
            waiting=Count("id", filter=Q(status__in=[Message.Status.QUEUED, "sending"])),
        )
        cards.append(
            {
                "title": _("Messages not delivered"),
                "value": counts["failed"],
                "icon": "exclamation-triangle",
                "order": 60,
                "url": reverse("messaging:outbox") + "?status=failed",
                "hint": _("%(n)s waiting in the queue") % {"n": counts["waiting"]},
            }
        )
    return cards
