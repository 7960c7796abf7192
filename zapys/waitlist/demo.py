"""Demo: clients waiting for the next days' services; two freed visits offered to the first
of them (one paid through the sandbox: a time filled from the list, shown on the dashboard),
and a client waiting behind the open offer. Each waits for a service meant for them.

The two freed times are at different hours and the waiting clients have no visit of their
own then: the first demo showed two offers at one hour (two specialists' times, the
specialist not shown), which read as one time sold to one client and still offered to
another."""

from __future__ import annotations

from datetime import timedelta

from zapys.catalog.demo import service_fits
from zapys.core.demo import DemoContext
from zapys.core.tenancy import organization_zone
from zapys.payments.services import payment_succeed
from zapys.schedule import services as schedule
from zapys.schedule.models import Visit
from zapys.waitlist import services
from zapys.waitlist.models import Offer


def _two_times(org, ctx: DemoContext) -> list[Visit]:
    """The first two of the coming visits with a service (from tomorrow) at different hours
    and of different specialists: two of the barber's would leave the women nothing to
    wait for."""
    chosen: list[Visit] = []
    for visit in (
        Visit.objects.for_org(org)
        .filter(
            kind=Visit.Kind.INDIVIDUAL,
            blocks_time=True,
            service__isnull=False,
            starts_at__gt=ctx.now + timedelta(hours=20),
        )
        .select_related("service", "staff")
        .order_by("starts_at", "id")[:50]
    ):
        if all(v.starts_at != visit.starts_at and v.staff_id != visit.staff_id for v in chosen):
            chosen.append(visit)
        if len(chosen) == 2:
            break
    return chosen


def _busy_then(org, visits: list[Visit]) -> set[int]:
    """Clients with a visit of their own overlapping either time: an offer of it would be
    one they could not take."""
    busy: set[int] = set()
    for visit in visits:
        busy |= set(
            Visit.objects.for_org(org)
            .filter(blocks_time=True, starts_at__lt=visit.ends_at, ends_at__gt=visit.starts_at)
            .exclude(client__isnull=True)
            .values_list("client_id", flat=True)
        )
    return busy


def load(ctx: DemoContext) -> None:
    clients = ctx.data.get("clients") or []
    if len(clients) < 8 or "payment_account" not in ctx.data:
        return
    org = ctx.organization
    today = ctx.now.astimezone(organization_zone(org)).date()
    # Two of tomorrow's and the day after's visits with a service are cancelled below.
    visits = _two_times(org, ctx)
    if len(visits) < 2:
        return
    busy = _busy_then(org, visits)
    # Five of the last clients, each waiting for one of the two services that is meant for
    # them (no men's haircut for a woman), the two services in turn where the client allows.
    waiting = 0
    for client in clients[-12:]:
        fitting = [v for v in visits if service_fits(v.service, client=client)]
        if client.pk in busy or not fitting:
            continue
        target = fitting[waiting % len(fitting)]
        services.entry_create(
            organization=org,
            client=client,
            service=target.service,
            staff=target.staff if waiting % 2 else None,
            date_from=today,
            date_to=today + timedelta(days=7),
            actor=ctx.actor,
            now=ctx.now,
        )
        waiting += 1
        if waiting == 5:
            break
    for visit in visits:
        schedule.visit_cancel(visit=visit, actor=ctx.actor, now=ctx.now)
    # The demo runs in one transaction: the freed-time hook would run after it, so the
    # slots are offered here, the way the hook does, quiet hours and all: the demo's clock
    # is in the salon's working hours (`core.demo.demo_now`), outside «21:00–08:00».
    services.slots_offer(services.slots_of_visits([v.pk for v in visits], ctx.now), ctx.now)
    offer = Offer.objects.for_org(org).order_by("id").first()
    if offer is not None and offer.amount > 0:
        payment = services.offer_payment(offer=offer, actor=ctx.actor, now=ctx.now)
        payment_succeed(payment=payment, actor=ctx.actor)
