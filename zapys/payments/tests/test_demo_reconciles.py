"""A fresh demo must not raise payment alerts: the sandbox's books match the demo's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from zapys.accounts.models import Organization
from zapys.core.jobs import run_due_jobs
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging.models import StaffNotification
from zapys.payments.models import Payment

pytestmark = [pytest.mark.django_db, pytest.mark.demo]


def test_fresh_demo_reconciles_without_alerts(sandbox_in_process, settings):
    call_command("demo", verbosity=0)
    with unscoped():
        org = Organization.objects.get(slug="demo")
    with org_scope(org):
        settled = Payment.objects.filter(status__in=["succeeded", "failed", "refunded"])
        assert settled.count() >= 2  # the demo has paid and declined payments to check
        before = StaffNotification.objects.count()
    later = timezone.now() + timedelta(days=1, minutes=10)
    results = dict(run_due_jobs(later, only=["payments.reconcile", "payments.mismatch_report"]))
    assert "mismatches 0, errors 0" in results["payments.mismatch_report"], results
    assert "error" not in results["payments.reconcile"], results
    with org_scope(org):
        assert not Payment.objects.filter(held_for_review=True).exists()
        assert StaffNotification.objects.count() == before
