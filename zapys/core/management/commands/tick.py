"""`python manage.py tick [--now ISO8601] [--job NAME]`: run every due periodic job once."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from zapys.core.jobs import discover_jobs, run_due_jobs


def parse_now(value: str | None) -> datetime:
    if not value:
        return timezone.now()
    parsed = parse_datetime(value)
    if parsed is None:
        raise CommandError(f"--now must be ISO 8601, e.g. 2026-12-01T10:00:00+02:00; got {value!r}")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Run every due periodic job once, as if the time were --now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="ISO 8601 time to run as (default: now)")
        parser.add_argument("--job", action="append", help="run only this job (repeatable)")

    def handle(self, *args: object, **options: object) -> None:
        now = parse_now(options.get("now"))  # type: ignore[arg-type]
        only: list[str] | None = options.get("job") or None  # type: ignore[assignment]
        if only:
            unknown = set(only) - set(discover_jobs())
            if unknown:
                raise CommandError(f"Unknown job(s): {', '.join(sorted(unknown))}")
        results = run_due_jobs(now, only=only)
        if not results:
            self.stdout.write("no periodic jobs registered")
        for name, summary in results:
            self.stdout.write(f"{name}: {summary}")
