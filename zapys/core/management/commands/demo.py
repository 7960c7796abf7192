"""`python manage.py demo`: create the demo organization if missing (idempotent)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from zapys.accounts.models import Organization, User
from zapys.accounts.services import organization_create, staff_create
from zapys.core.audit import Actor
from zapys.core.demo import (
    DEMO_OWNER_LOGIN,
    DEMO_PASSWORD,
    DEMO_SLUG,
    DemoContext,
    demo_clock,
    demo_hooks,
    demo_now,
)
from zapys.core.tenancy import org_scope, organization_zone, unscoped


class Command(BaseCommand):
    help = "Create the demo organization (if missing) and print the owner's login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo and create it anew"
        )

    def handle(self, *args: object, **options: object) -> None:
        with unscoped():
            existing = Organization.objects.filter(slug=DEMO_SLUG).first()
            if existing and options.get("reset"):
                self._archive(existing)
                existing = None
        if existing is None:
            # the salon's working hours, whatever the hour the command runs (core/demo.py);
            # the clock stays set while the transaction's on-commit tasks run too
            zone = organization_zone(Organization())  # the new organization's zone
            real = timezone.now()
            now = demo_now(real, zone)
            with demo_clock(now):
                # the calendar's today is the real date (core/demo.py): before opening, a
                # day of visits still to come
                self._create(now, today=timezone.localtime(real, zone).date())
            self.stdout.write(self.style.SUCCESS("Demo organization created."))
        else:
            self.stdout.write("Demo organization already exists.")
        self.stdout.write(f"login: {DEMO_OWNER_LOGIN}")
        self.stdout.write(f"password: {DEMO_PASSWORD}")

    @transaction.atomic
    def _archive(self, org: Organization) -> None:
        """The ledger is append-only, so a demo with money history cannot be deleted; it is
        renamed out of the way (slug and staff logins) and its staff can no longer sign in."""
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        org.slug = f"{DEMO_SLUG}-archived-{stamp}"
        org.name = f"{org.name} (archived {stamp})"
        org.save(update_fields=["slug", "name"])
        for user in User.objects.filter(organization=org):
            user.username = f"{user.username}-archived-{stamp}"[:150]
            user.is_active = False
            user.save(update_fields=["username", "is_active"])
        self.stdout.write(f"Archived the previous demo as {org.slug}.")

    @transaction.atomic
    def _create(self, now: datetime, *, today: date) -> None:
        actor = Actor.system("demo")
        org = organization_create(
            name="Салон краси «Зоряна»",
            slug=DEMO_SLUG,
            actor=actor,
            # a beauty salon (hair, nails, brows, a barber) that also runs make-up and
            # hairstyling courses: the salon's words, «Майстер», «Напрями», «Кабінети»
            business_kind="salon",
            legal_name="ФОП Зоряна Петренко",
            tax_id="3012345678",
            iban="UA213223130000026007233566001",
            bank_name="АТ КБ «ПриватБанк»",
            address="м. Київ, вул. Хрещатик, 1",
            phone="+380441234567",
            email="hello@zoryana.example",
            # the salon's own offer (its site, like its e-mail): the invoice page links the
            # organization's setting, so the settings page and the page show one link
            offer_url="https://zoryana.example/oferta",
        )
        with org_scope(org):
            owner = staff_create(
                organization=org,
                username=DEMO_OWNER_LOGIN,
                password=DEMO_PASSWORD,
                role=User.Role.OWNER,
                first_name="Зоряна",
                last_name="Петренко",
                actor=actor,
            )
            ctx = DemoContext(organization=org, owner=owner, now=now, actor=actor, today=today)
            # What the services store as text (finance article names, ledger comments,
            # notifications) is written in the organization's language, as in the app.
            with translation.override(org.language or "uk"):
                for hook in demo_hooks():
                    hook(ctx)
                for hook in demo_hooks("finish"):
                    hook(ctx)
                # what reads the demo's final state (who owes, once every payment is in)
                for hook in demo_hooks("settle"):
                    hook(ctx)
