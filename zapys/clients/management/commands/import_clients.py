"""`python manage.py import_clients FILE --org SLUG [--dry-run] [--language en|uk]` (C8)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zapys.accounts.models import Organization
from zapys.clients.import_files import MAX_FILE_BYTES, too_big_message
from zapys.clients.importing import (
    ImportFileError,
    import_dry_run,
    import_execute,
    read_rows,
)
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import org_scope


def progress_bar(done: int, total: int, width: int = 30) -> str:
    share = done / total if total else 1.0
    filled = int(width * share)
    return f"[{'#' * filled}{'.' * (width - filled)}] {int(share * 100):3d}% {done}/{total}"


class Command(BaseCommand):
    help = "Import clients (with tags and opening balances) from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a .csv or .xlsx file")
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen, write nothing"
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default="en",
            help="language of the report (default: en, whatever the organization's language)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Operators read (and grep) this output: every line in one language, English unless
        # --language says otherwise — the summary included (it used to be printed after the
        # language was switched back, in the server's default Ukrainian).
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = options["file"]
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(
                _("No organization with slug %(slug)s.") % {"slug": repr(options["org"])}
            )
        if not os.path.isfile(path):
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise CommandError(too_big_message())
        interactive = sys.stderr.isatty() and self.stderr._out is sys.stderr

        def progress(done: int, total: int) -> None:
            # A terminal sees one bar redrawn in place; a log gets one line per batch.
            ending = "\r" if interactive and done < total else "\n"
            self.stderr.write(progress_bar(done, total), ending=ending)
            self.stderr.flush()

        with org_scope(organization):
            try:
                with open(path, "rb") as fh:
                    # The same limits as the staff page (rows, columns, unpacked XLSX size).
                    rows = read_rows(fh, os.path.basename(path), size=size)
                if options["dry_run"]:
                    report = import_dry_run(rows)
                else:
                    report = import_execute(
                        organization=organization,
                        rows=rows,
                        actor=Actor.system("import_clients command"),
                        progress=progress,
                    )
            except ImportFileError as exc:
                raise CommandError(exc.detail) from None
            except DomainError as exc:
                raise CommandError(exc.detail) from None
        summary = report.summary()
        if report.dry_run:
            summary = _("DRY RUN — nothing written. %(summary)s") % {"summary": summary}
        self.stdout.write(summary)
        if report.opening_balances:
            n = report.opening_balances
            if report.dry_run:
                text = ngettext(
                    "%(n)s opening balance would be posted.",
                    "%(n)s opening balances would be posted.",
                    n,
                )
            else:
                text = ngettext(
                    "%(n)s opening balance was posted.", "%(n)s opening balances were posted.", n
                )
            self.stdout.write(text % {"n": n})
        for item in report.rejected:
            self.stdout.write(
                _("row %(row)s: %(reason)s") % {"row": item["row"], "reason": item["reason"]}
            )
        more = report.rejected_count - len(report.rejected)
        if more > 0:
            self.stdout.write(
                ngettext("… and %(n)s more row rejected.", "… and %(n)s more rows rejected.", more)
                % {"n": more}
            )
