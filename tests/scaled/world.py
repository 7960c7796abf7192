"""The organizations the scaled-mode run books into, built through the services."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from tests.scaled.stack import Attempt, Failure, log

LIQPAY_PUBLIC, LIQPAY_PRIVATE = "i-scaled-liqpay", "scaled-liqpay-private-key"
SMS_TOKEN = "scaled-turbosms-token"


class World:
    """Mixin of ScaledRun (tests/scaled/run.py): `self.orgs` and the slots to book."""

    orgs: dict[str, Any]
    sms: Any

    # ------------------------------------------------------------------ organizations

    def build_organizations(self) -> None:
        from datetime import time as clock

        from zapys.accounts.models import User
        from zapys.accounts.services import branch_create, organization_create, staff_create
        from zapys.catalog.models import Service
        from zapys.core.audit import Actor
        from zapys.core.tenancy import org_scope
        from zapys.messaging.services import transport_account_save
        from zapys.payments.services import payment_account_create
        from zapys.prepayments import services as prepayments
        from zapys.schedule import services as schedule

        actor = Actor.system("scaled-mode run")
        for slug, provider in (("scaled-liqpay", "liqpay"), ("scaled-sandbox", "sandbox")):
            org = organization_create(name=f"Scaled {provider}", slug=slug, actor=actor)
            with org_scope(org):
                branch = branch_create(organization=org, name="Main", actor=actor)
                staff_create(
                    organization=org,
                    username=f"owner-{slug}",
                    password=secrets.token_urlsafe(16),
                    role=User.Role.OWNER,
                    branches=[branch],
                    actor=actor,
                )
                specialists = [
                    staff_create(
                        organization=org,
                        username=f"spec{i}-{slug}",
                        password=secrets.token_urlsafe(16),
                        role=User.Role.SPECIALIST,
                        first_name=f"Майстер {i}",
                        branches=[branch],
                        actor=actor,
                    )
                    for i in range(3)
                ]
                week = [(d, clock(8), clock(20)) for d in range(7)]
                for spec in specialists:
                    schedule.staff_hours_set(staff=spec, branch=branch, intervals=week, actor=actor)
                schedule.schedule_settings_update(
                    organization=org,
                    actor=actor,
                    online_rate_limit_per_minute=1000,  # every client comes via the one proxy
                    slot_step_minutes=60,
                )
                service = Service.objects.for_org(org).create(
                    organization=org,
                    name="Стрижка",
                    duration_minutes=60,
                    price=100_000,
                    online_booking=True,
                )
                credentials = (
                    {"public_key": LIQPAY_PUBLIC, "private_key": LIQPAY_PRIVATE}
                    if provider == "liqpay"
                    else {}
                )
                account = payment_account_create(
                    organization=org, provider=provider, credentials=credentials, actor=actor
                )
                transport_account_save(
                    organization=org,
                    actor=actor,
                    channel="sms",
                    code="turbosms",
                    credentials={"token": SMS_TOKEN, "sender": "Zapys"},
                    base_url=self.sms.base_url,
                    priority=10,
                    is_active=True,
                )
                prepayments.prepayment_settings_update(
                    organization=org,
                    actor=actor,
                    enabled=True,
                    payment_account=account,
                    agreement_enabled=False,
                    auto_cancel=True,
                    auto_cancel_after_minutes=0,
                )
                prepayments.booking_type_create(
                    organization=org,
                    name="200 грн",
                    rule="fixed",
                    value=20_000,
                    actor=actor,
                    is_default=True,
                )
            self.orgs[slug] = {
                "org": org,
                "provider": provider,
                "service": service,
                "account": account,
                "specialists": specialists,
            }
        log("built two organizations (LiqPay, sandbox) with online booking and prepayment")

    def plan_slots(self, slug: str, count: int, collisions: int) -> list[Attempt]:
        from django.utils import timezone

        from zapys.core.tenancy import org_scope, organization_zone
        from zapys.schedule.selectors import free_slots

        info = self.orgs[slug]
        org = info["org"]
        with org_scope(org):
            today = timezone.now().astimezone(organization_zone(org)).date()
            slots = free_slots(
                organization=org,
                service=info["service"],
                date_from=today + timedelta(days=2),
                date_to=today + timedelta(days=6),
                online=True,
            )
        if len(slots) < count:
            raise Failure(f"{slug}: only {len(slots)} free slots for {count} bookings")
        chosen = slots[:: max(1, len(slots) // count)][:count]
        attempts = [Attempt(slug, "", s.staff_id, s.start) for s in chosen]
        # pairs racing for the same slot: exactly one of each pair may get it
        attempts += [Attempt(slug, "", a.staff_id, a.start) for a in attempts[:collisions]]
        return attempts
