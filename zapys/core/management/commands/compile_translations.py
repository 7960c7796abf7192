"""Compile every app's .po into .mo with polib (pure Python: no gettext tools needed)."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile zapys/**/locale/*/LC_MESSAGES/*.po to .mo (pure Python, no gettext)."

    def handle(self, *args: object, **options: object) -> None:
        root = Path(settings.BASE_DIR) / "zapys"
        count = 0
        for po_path in sorted(root.glob("**/locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        if int(options.get("verbosity", 1)) > 0:  # type: ignore[call-overload]
            self.stdout.write(f"compiled {count} translation file(s)")
