"""Periodic housekeeping for accounts."""

from __future__ import annotations

from datetime import datetime, timedelta

from zapys.accounts.models import LoginAttempt
from zapys.core.jobs import periodic_job


@periodic_job("accounts.forget_login_failures", every=timedelta(hours=1))
def forget_login_failures(now: datetime) -> str:
    """Delete failed-login records older than a day (they only matter for throttling)."""
    deleted, _ = LoginAttempt.objects.filter(created_at__lt=now - timedelta(days=1)).delete()
    return f"deleted {deleted} old failed-login records"
