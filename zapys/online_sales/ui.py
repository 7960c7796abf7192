"""What online membership sales add to the staff interface (see `core.ui`)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from zapys.core.ui import (
    MANAGERS,
    MONEY,
    NavItem,
    SearchTarget,
    SettingsTab,
    audit_actions,
    audit_fields,
    nav_item,
    search_target,
    settings_tab,
)
from zapys.online_sales.codes import code_normalise
from zapys.online_sales.models import OnlineSale, PlanOnline

nav_item(
    NavItem("online_sales:sales", _("Online sales"), "bag-check", MANAGERS, section=MONEY, order=45)
)
settings_tab(SettingsTab("online_sales", "online_sales:settings", _("Online sales"), order=45))


#: A code as printed, three and four characters around one separator ("dks hhcj").
_PRINTED_SHAPE = re.compile(r"^\s*[0-9A-Za-z]{3}[\s\-–][0-9A-Za-z]{4}\s*$")


def _activation_code(request: HttpRequest, text: str) -> str | None:
    """An activation code in the header's search box (O4) opens its purchase's attach
    dialog, or the purchases list saying the code is unknown. Text with the code's shape
    counts when it has a digit or a dash. A code of letters only typed with a space
    ("dks hhcj") counts only when a purchase has it (one query): "Ann Smit" and a
    seven-letter surname stay a client search."""
    code = code_normalise(text)
    if not code:
        return None
    if not any(ch.isdigit() or ch in "-–" for ch in text):
        if not _PRINTED_SHAPE.match(text):
            return None
        organization = getattr(request, "organization", None)
        if organization is None or not (
            OnlineSale.objects.for_org(organization).filter(activation_code=code).exists()
        ):
            return None
    return f"{reverse('online_sales:code')}?{urlencode({'code': code})}"


search_target(SearchTarget("online_sales.code", _activation_code, MANAGERS, order=10))

# How the audit log names the actions this app writes (core.audit_reading).
audit_actions(
    {
        "online_sales.settings_update": _("Online sales settings changed"),
        "online_sales.plan_update": _("Online sale of a plan changed"),
        "online_sale.start": _("Online sale started"),
        "online_sale.paid": _("Online sale paid"),
        "online_sale.attach": _("Online sale attached to a client"),
        "online_sale.refunded": _("Online sale refunded"),
        "online_sale.part_refunded": _("Part of an online sale refunded"),
    }
)

# `online_sales.plan_update` is written on the plan; its keys are the plan's online-sale row
# fields (the button's design), named as the form names them.
audit_fields(
    "memberships.membershipplan",
    {
        field.name: capfirst(field.verbose_name)
        for field in PlanOnline._meta.get_fields()
        if field.concrete and not field.is_relation and field.name not in ("id",)
    },
)
