"""Periodic housekeeping for accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.accounts.throttling import forget_failures
from zapys.core.jobs import periodic_job


@periodic_job("accounts.forget_login_failures", every=timedelta(hours=1))
def forget_login_failures(now: datetime) -> str:
    """Delete failed-login records nobody has added to for AXES_COOLOFF_TIME.

    django-axes deletes them only when somebody signs in; after an attack on a quiet
    instance this keeps the table (and the addresses in it) from lingering.
    """
    return f"deleted {forget_failures(now=now)} old failed-login records"
