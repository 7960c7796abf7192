"""Periodic job of the clients app: the import files' safety net (issue 10)."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.clients.importing import client_import_files_sweep
from zapys.core.jobs import periodic_job


@periodic_job("clients.import_files", every=timedelta(minutes=10))
def client_import_files(now: datetime) -> str:
    """Delete import files older than a day; queue again checks and imports whose task was
    lost."""
    return client_import_files_sweep(now=now).summary()
