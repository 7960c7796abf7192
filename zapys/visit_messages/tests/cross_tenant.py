"""Cross-tenant cases for the visit-message settings API: another organization's settings
are neither read nor changed."""

from __future__ import annotations

from typing import Any

from tests.cross_tenant import CaseInput, CrossTenantCase
from zapys.accounts.models import Organization


def _settings_get(victim: Organization) -> CaseInput:
    from tests.factories import SYSTEM
    from zapys.visit_messages.services import settings_update

    settings_update(organization=victim, actor=SYSTEM, reminder_hours=48, quiet_to=_time(9, 15))

    def check(body: Any, org: Organization) -> None:
        assert body["reminder_hours"] == 24
        assert body["quiet_to"] == "08:00"

    return CaseInput(check=check)


def _settings_patch(victim: Organization) -> CaseInput:
    from zapys.visit_messages.services import settings_get

    def snapshot() -> Any:
        found = settings_get(victim)
        return (found.pk, found.reminder_hours, found.remind, found.quiet_from)

    def check(body: Any, org: Organization) -> None:
        # the caller's own settings changed (it names nothing of B's), B's did not
        assert (body["reminder_hours"], body["remind"]) == (3, False)

    return CaseInput(body={"reminder_hours": 3, "remind": False}, check=check, snapshot=snapshot)


def _time(hh: int, mm: int) -> Any:
    from datetime import time

    return time(hh, mm)


CASES = [
    CrossTenantCase("get", "/api/v1/visit-messages/settings", _settings_get, kind="own"),
    CrossTenantCase("patch", "/api/v1/visit-messages/settings", _settings_patch, kind="own"),
]
