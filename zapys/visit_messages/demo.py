"""Demo: reminders a day and two hours before, and the ones due now already in the outbox
(the sweep runs once at the end, as the scheduler would: at night it sends nothing, the
quiet hours hold them until 08:00)."""

from __future__ import annotations

from zapys.core.demo import DemoContext
from zapys.visit_messages.services import reminders_sweep, settings_update


def load(ctx: DemoContext) -> None:
    settings_update(organization=ctx.organization, actor=ctx.actor, second_reminder_hours=2)


def settle(ctx: DemoContext) -> None:
    reminders_sweep(ctx.now)
