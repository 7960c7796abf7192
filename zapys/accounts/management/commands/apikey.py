"""`python manage.py apikey <login> [--name NAME]`: print a new API key on the last line."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zapys.accounts.models import User
from zapys.accounts.services import apikey_create
from zapys.core.audit import Actor
from zapys.core.tenancy import org_scope, unscoped


class Command(BaseCommand):
    help = "Create an API key for a staff user; the key is printed alone on the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("login")
        parser.add_argument("--name", default="CLI key")

    def handle(self, *args: object, **options: object) -> None:
        with unscoped():
            user = (
                User.objects.select_related("organization")
                .filter(username=options["login"])
                .first()
            )
        if user is None or user.organization is None:
            raise CommandError(f"No staff user with login {options['login']!r}.")
        with org_scope(user.organization):
            key, plain = apikey_create(
                user=user, name=str(options["name"]), actor=Actor.system("cli")
            )
        self.stdout.write(f"API key «{key.name}» for {user.username} ({user.organization.name}):")
        self.stdout.write(plain)
