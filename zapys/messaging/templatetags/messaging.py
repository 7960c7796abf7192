"""Template tags of the messaging app."""

from __future__ import annotations

from typing import Any

from django import template

from zapys.core.dates import moment_in_words
from zapys.messaging.selectors import unread_notification_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """Unread staff notifications of the logged-in user (one COUNT query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "organization_id", None) is None:
        return 0
    return unread_notification_count(organization=user.organization, user=user)


@register.filter(expects_localtime=True, is_safe=False)
def moment(value: Any) -> str:
    """A message's time as its page title says it: «5 грудня о 09:33» (the year only when
    it is not this one), not «5 грудня 2026, 09:33:17» (sixth tour)."""
    if not value:
        return ""
    return moment_in_words(value)
