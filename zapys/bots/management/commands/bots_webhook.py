"""Register the bots' webhooks with Telegram / Viber (the settings page's button, for an
operator): every active bot account, or those of one organization or one account.

    manage.py bots_webhook                 # every organization's bots
    manage.py bots_webhook --org salon-a   # one organization (slug)
    manage.py bots_webhook --account 12    # one account
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zapys.bots.selectors import BOT_CODES
from zapys.bots.services import bot_webhook_register
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging.models import TransportAccount


class Command(BaseCommand):
    help = "Register the Telegram / Viber bots' webhooks at ZAPYS_PUBLIC_URL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", help="only this organization (its slug)")
        parser.add_argument("--account", type=int, help="only this messaging account (id)")

    def handle(self, *args: Any, **options: Any) -> None:
        with unscoped():
            accounts = TransportAccount.objects.select_related("organization").filter(
                code__in=BOT_CODES, is_active=True
            )
            if options["org"]:
                accounts = accounts.filter(organization__slug=options["org"])
            if options["account"]:
                accounts = accounts.filter(pk=options["account"])
            accounts_list = [a for a in accounts.order_by("id") if a.channel == a.code]
        if not accounts_list:
            raise CommandError("No active Telegram or Viber account matches.")
        failed = 0
        for account in accounts_list:
            with org_scope(account.organization):
                try:
                    url = bot_webhook_register(
                        account=account, actor=Actor.system("manage.py bots_webhook")
                    )
                except DomainError as exc:
                    failed += 1
                    self.stderr.write(f"{account.organization.slug} #{account.pk}: {exc.detail}")
                else:
                    self.stdout.write(f"{account.organization.slug} #{account.pk}: {url}")
        if failed:
            raise CommandError(f"{failed} webhook(s) not registered.")
