"""Django's `flush`, allowed past the ledger's no-DELETE trigger (see zapys/ledger/erase.py).

On SQLite a flush is a DELETE per table in no fixed order, which the immutability trigger
would reject; test teardown of transactional tests relies on flush.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush

from zapys.ledger.erase import erase_everything


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        with erase_everything(options.get("database", "default")):
            super().handle(**options)
