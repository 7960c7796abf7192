"""Template tags of the messaging app."""

from __future__ import annotations

from typing import Any

from django import template

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
