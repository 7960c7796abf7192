"""Template helpers: money formatting, the settings tabs, a first name to greet with."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zapys.core.money import format_money
from zapys.core.settings_tabs import settings_tabs as _settings_tabs
from zapys.core.vocative import vocative

register = template.Library()


@register.filter
def money(amount: int | None, currency: str = "UAH") -> str:
    """{{ client.balance|money }} or {{ payment.amount|money:payment.currency }}."""
    if amount is None or amount == "":
        return "—"
    return format_money(int(amount), currency or "UAH", (get_language() or "uk")[:2])


@register.filter
def greeting_name(first_name: object) -> str:
    """{{ user.first_name|greeting_name }}: a first name as a Ukrainian page addresses the
    person, in the vocative («Вітаємо, Зоряно!»; the rule leaves a name it is unsure of as
    written); English has no vocative and keeps it."""
    name = str(first_name or "")
    return vocative(name) if (get_language() or "uk").startswith("uk") else name


@register.simple_tag
def settings_tabs() -> list[dict]:
    return _settings_tabs()


def _plain(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or "—"
    return str(value)


@register.filter
def audit_change(value: object) -> str:
    """An audit row's change as people read it: [old, new] → "old → new", None → "—",
    booleans as yes/no (the raw JSON showed Python's [None, 'succeeded'] and False)."""
    if isinstance(value, list) and len(value) == 2:
        return f"{_plain(value[0])} → {_plain(value[1])}"
    return _plain(value)
