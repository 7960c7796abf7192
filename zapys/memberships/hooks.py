"""Calls up from memberships, declared by the apps above it (docs/architecture.md "Layers").

`PATCH /api/v1/membership-plans/{id}` also takes `{sell_online, button_text}` (API.md
"Online membership sales"): what a plan's online sale is belongs to the app that sells
online, which registers its handler here in its `AppConfig.ready`. Without one installed
those fields are refused, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.memberships.models import MembershipPlan

PlanOnlineHandler = Callable[[MembershipPlan, dict[str, Any], Actor], None]

_plan_online: list[PlanOnlineHandler] = []


def register_plan_online(handler: PlanOnlineHandler) -> None:
    if handler not in _plan_online:
        _plan_online.append(handler)


def plan_online_update(*, plan: MembershipPlan, fields: dict[str, Any], actor: Actor) -> None:
    """Set the plan's online-sale fields (`sell_online`, `button_text`) through the app that
    sells online; called in the plan update's transaction."""
    if not fields:
        return
    if not _plan_online:
        raise DomainError(_("Online sales are not installed."), field=sorted(fields)[0])
    for handler in _plan_online:
        handler(plan, fields, actor)
