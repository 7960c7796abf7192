"""`python manage.py import_clients FILE --org SLUG [--dry-run]` (C8)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from zapys.accounts.models import Organization
from zapys.clients.importing import (
    MAX_FILE_BYTES,
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

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        if os.path.getsize(path) > MAX_FILE_BYTES:
            raise CommandError("The file is larger than 10 MB. Split it into smaller files.")
        interactive = sys.stderr.isatty() and self.stderr._out is sys.stderr

        def progress(done: int, total: int) -> None:
            # A terminal sees one bar redrawn in place; a log gets one line per batch.
            ending = "\r" if interactive and done < total else "\n"
            self.stderr.write(progress_bar(done, total), ending=ending)
            self.stderr.flush()

        # Operators read (and grep) this output: English, whatever the organization's language.
        with org_scope(organization), translation.override("en"):
            try:
                with open(path, "rb") as fh:
                    rows = read_rows(fh, os.path.basename(path))
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
        prefix = "DRY RUN — nothing written. " if report.dry_run else ""
        self.stdout.write(prefix + report.summary())
        if report.opening_balances:
            verb = "would be" if report.dry_run else "were"
            self.stdout.write(f"{report.opening_balances} opening balances {verb} posted.")
        for item in report.rejected:
            self.stdout.write(f"row {item['row']}: {item['reason']}")
        if report.rejected_count > len(report.rejected):
            self.stdout.write(
                f"... and {report.rejected_count - len(report.rejected)} more rejected"
            )
