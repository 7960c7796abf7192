"""{% load phones %}{{ branch.phone|phone }}: a stored E.164 number as people read it
("+380 44 123 45 67", `clients.phones.display_phone`). Link with the stored value:
`href="tel:{{ branch.phone }}"`."""

from __future__ import annotations

from django import template

from zapys.clients.phones import display_phone

register = template.Library()


@register.filter
def phone(value: object) -> str:
    return display_phone(str(value)) if value else ""
