"""{% load zapys_numbers %}{{ booking.pk|numbered }}: "№7" / "#7" (core/numbers.py);
{{ organization.iban|iban }}: "UA21 3223 1300 …" (core/iban.py)."""

from __future__ import annotations

from django import template

from zapys.core import numbers
from zapys.core.iban import iban_grouped

register = template.Library()


@register.filter
def numbered(value: object) -> str:
    if value in (None, ""):
        return ""
    return numbers.numbered(value)


@register.filter
def model_name(label: str) -> str:
    """A stored model label ("schedule.visit") as the model's name, never the raw key."""
    return numbers.model_name(str(label))


@register.filter
def iban(value: object) -> str:
    """An IBAN in groups of four, as banks print it: "UA21 3223 1300 …" (core/iban.py)."""
    return iban_grouped(value)
