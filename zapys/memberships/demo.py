"""Demo plans and memberships sold in every mode (paid, on credit, without payment): a
salon's — four manicures a month, four visits a month, ten visits over three months (on a
balance of its own), and a one-off gift (a manicure and a pedicure).

Each membership is sold on the morning its validity starts (`demo_clock`): the sale's
charge and payment in the client's balance history are dated that day, not the day the
demo was loaded."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from zapys.core.demo import DemoContext, demo_clock
from zapys.core.tenancy import organization_zone
from zapys.memberships import services
from zapys.memberships.models import ClientMembership, MembershipPlan


def load(ctx: DemoContext) -> None:
    org, actor = ctx.organization, ctx.actor
    catalog = ctx.data.get("services", [])
    nails = [s for s in catalog if "анікюр" in s.name]
    gift = [s for s in catalog if s.name in ("Манікюр класичний", "Педикюр")]
    plans = [
        services.membership_plan_create(
            organization=org,
            name="Манікюр ×4 на місяць",
            price=160_000,
            visits=4,
            covers_everything=not nails,
            services=nails or None,
            actor=actor,
        ),
        services.membership_plan_create(
            organization=org, name="4 візити на місяць", price=200_000, visits=4, actor=actor
        ),
        services.membership_plan_create(
            organization=org,
            name="10 візитів на 3 місяці",
            price=450_000,
            visits=10,
            validity_value=3,
            separate_account=True,
            actor=actor,
        ),
        # a one-off package: a gift certificate bought once, not renewed
        services.membership_plan_create(
            organization=org,
            name="Подарунок: манікюр і педикюр",
            price=120_000,
            visits=2,
            validity_value=3,
            covers_everything=not gift,
            services=gift or None,
            kind=MembershipPlan.Kind.ONE_OFF,
            actor=actor,
        ),
    ]
    old = services.membership_plan_create(
        organization=org, name="Старий абонемент 2025", price=90_000, visits=6, actor=actor
    )
    services.membership_plan_archive(plan=old, actor=actor)

    zone = organization_zone(org)
    today = ctx.now.astimezone(zone).date()
    branch = ctx.branches[0] if ctx.branches else None
    modes = [
        ClientMembership.SaleMode.PAID,
        ClientMembership.SaleMode.CREDIT,
        ClientMembership.SaleMode.FREE,
    ]
    sold = []
    for i, client in enumerate(ctx.data.get("clients", [])[:15]):
        plan = plans[i % 3]
        starts_on = today - timedelta(days=ctx.rng.randint(0, 20))
        # sold at the desk that morning, between 10:00 and 12:40
        sold_at = datetime.combine(starts_on, time(10 + i % 3, 20 * (i % 3)), zone)
        with demo_clock(sold_at):
            m = services.membership_sell(
                client=client,
                plan=plan,
                mode=modes[i % 3],
                starts_on=starts_on,
                branch=branch,
                actor=actor,
            )
            if m.visits_total and i % 2:
                services.membership_add_virtual_visits(
                    membership=m, count=1, reason="Відвідування до переходу в Zapys", actor=actor
                )
        sold.append(m)
    if sold:
        services.membership_renew(
            membership=sold[0], mode=ClientMembership.SaleMode.PAID, from_end=True, actor=actor
        )
    ctx.data["memberships"] = sold
    ctx.data["membership_plans"] = plans
