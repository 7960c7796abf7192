"""Template helpers: money formatting and the settings tabs."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from zapys.core.money import format_money
from zapys.core.settings_tabs import settings_tabs as _settings_tabs

register = template.Library()


@register.filter
def money(amount: int | None, currency: str = "UAH") -> str:
    """{{ client.balance|money }} or {{ payment.amount|money:payment.currency }}."""
    if amount is None or amount == "":
        return "—"
    return format_money(int(amount), currency or "UAH", (get_language() or "uk")[:2])


@register.simple_tag
def settings_tabs() -> list[dict]:
    return _settings_tabs()
