"""Schedule API (API.md "Visits"): visits, lessons, attendance, statuses, staff hours,
availability, settings — one module per area, each with its router, combined here into the
`router` that `zapys.api` mounts. No two modules serve the same path (one path, one router)."""

from ninja import Router

from zapys.schedule.api import availability, hours, schedule_settings, statuses, visits

router = Router(tags=["Schedule"])
for area in (visits, statuses, hours, availability, schedule_settings):
    router.add_router("", area.router)
