from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zapys.core import jobs
from zapys.core.models import JobState

calls: list = []


@pytest.fixture
def counting_job():
    @jobs.periodic_job("test.counter", every=timedelta(minutes=5))
    def counter(now):
        calls.append(now)
        return f"ran at {now.isoformat()}"

    calls.clear()
    yield counter
    jobs.JOBS.pop("test.counter", None)


@pytest.mark.django_db
def test_job_runs_once_per_interval_at_the_given_time(counting_job):
    t0 = timezone.now()
    jobs.run_due_jobs(t0, only=["test.counter"])
    jobs.run_due_jobs(t0 + timedelta(minutes=1), only=["test.counter"])  # not due yet
    jobs.run_due_jobs(t0 + timedelta(minutes=5), only=["test.counter"])
    assert calls == [t0, t0 + timedelta(minutes=5)]
    assert JobState.objects.get(name="test.counter").last_run_at == t0 + timedelta(minutes=5)


@pytest.mark.django_db
def test_a_second_runner_cannot_claim_the_same_slot(counting_job):
    now = timezone.now()
    job = jobs.JOBS["test.counter"]
    assert jobs.claim_job(job, now) is True
    assert jobs.claim_job(job, now) is False


@pytest.mark.django_db
def test_time_travel_backwards_still_runs(counting_job):
    now = timezone.now()
    jobs.run_due_jobs(now + timedelta(days=1), only=["test.counter"])
    jobs.run_due_jobs(now, only=["test.counter"])  # an operator ticked "in the future" earlier
    assert calls == [now + timedelta(days=1), now]


@pytest.mark.django_db
def test_tick_command_prints_a_line_per_job(counting_job):
    out = StringIO()
    call_command("tick", "--now", "2026-12-01T10:00:00+02:00", "--job", "test.counter", stdout=out)
    assert out.getvalue().strip() == "test.counter: ran at 2026-12-01T10:00:00+02:00"


@pytest.mark.django_db
def test_tick_rejects_bad_input():
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("tick", "--now", "tomorrow")
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("tick", "--job", "no.such.job")


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others(counting_job):
    @jobs.periodic_job("test.broken", every=timedelta(minutes=1))
    def broken(now):
        raise RuntimeError("boom")

    try:
        results = dict(jobs.run_due_jobs(timezone.now(), only=["test.broken", "test.counter"]))
    finally:
        jobs.JOBS.pop("test.broken", None)
    assert results["test.broken"] == "failed: RuntimeError: boom"
    assert results["test.counter"].startswith("ran at")


@pytest.mark.django_db
def test_jobs_run_in_order_then_name(counting_job):
    ran: list[str] = []

    @jobs.periodic_job("test.a-last", every=timedelta(minutes=5), order=900)
    def last(now):
        ran.append("last")
        return "ok"

    @jobs.periodic_job("test.z-first", every=timedelta(minutes=5), order=10)
    def first(now):
        ran.append("first")
        return "ok"

    try:
        names = ["test.a-last", "test.z-first", "test.counter"]
        results = jobs.run_due_jobs(timezone.now(), only=names)
        assert [name for name, _ in results] == ["test.z-first", "test.counter", "test.a-last"]
        assert ran == ["first", "last"]
    finally:
        jobs.JOBS.pop("test.a-last", None)
        jobs.JOBS.pop("test.z-first", None)


@pytest.mark.django_db
def test_a_run_a_moment_early_is_still_due(counting_job):
    # The scheduler's 60 s and the worker's start times jitter by milliseconds: a run a
    # hair under `every` after the last must not skip a whole period.
    t0 = timezone.now()
    job = jobs.JOBS["test.counter"]
    assert jobs.claim_job(job, t0) is True
    assert jobs.claim_job(job, t0 + timedelta(minutes=4, seconds=30)) is False
    assert jobs.claim_job(job, t0 + timedelta(minutes=5) - timedelta(milliseconds=40)) is True
    assert JobState.objects.get(name="test.counter").last_run_at == (
        t0 + timedelta(minutes=5) - timedelta(milliseconds=40)
    )
