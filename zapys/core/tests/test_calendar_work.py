"""Organizations' calendar rules driven by the scheduler: claimed once, caught up once, run in
the organization's scope, language and time zone."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from tests.factories import SYSTEM, make_org
from zapys.core import calendar_work as cw
from zapys.core import jobs
from zapys.core.models import AuditLog, CalendarSchedule
from zapys.core.recurrence import Frequency, Recurrence
from zapys.core.tenancy import current_org, org_scope

KYIV = ZoneInfo("Europe/Kyiv")
DAILY_9 = Recurrence(frequency=Frequency.DAILY, at=time(9, 0))

ran: list[dict] = []


@pytest.fixture
def work():
    @cw.calendar_work("test.report")
    def report(schedule, scheduled_for):
        ran.append(
            {
                "subject": schedule.subject_id,
                "scheduled_for": scheduled_for,
                "org": current_org(),
                "language": translation.get_language(),
                "zone": str(timezone.get_current_timezone()),
            }
        )
        if schedule.subject_id == 666:
            raise RuntimeError("the report template is broken")
        return f"report {schedule.subject_id} sent"

    ran.clear()
    yield report
    cw.WORK.pop("test.report", None)


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KYIV)


def set_rule(org, subject_id=1, rule=DAILY_9, now=None):
    return cw.calendar_schedule_set(
        organization=org,
        work="test.report",
        subject_id=subject_id,
        rule=rule,
        actor=SYSTEM,
        now=now or kyiv(2026, 12, 3, 8, 0),
    )


@pytest.mark.django_db
def test_set_plans_the_next_run_and_is_audited_in_words(work):
    org = make_org(time_zone="Europe/Kyiv")
    with translation.override("en"):
        schedule = set_rule(org)
    assert schedule.next_run_at == kyiv(2026, 12, 3, 9, 0)
    with org_scope(org):
        row = AuditLog.objects.get(action="calendar_schedule.set")
    # the rule is kept as stored text (issue 17): each reader sees it in their language
    assert row.changes == {
        "rule": [
            None,
            {"msgid": "Daily at %(time)s", "params": {"time": "09:00"}, "text": "Daily at 09:00"},
        ]
    }
    assert row.object_repr == "Daily at 09:00"
    from zapys.core.audit_reading import audit_rows_read

    with translation.override("uk"), org_scope(org):
        (text,) = audit_rows_read([row])
    assert [(c.label, c.new) for c in text.changes] == [("Коли запускається", "Щодня о 09:00")]


@pytest.mark.django_db
def test_runs_once_at_the_slot_and_plans_the_next(work):
    org = make_org(time_zone="Europe/Kyiv")
    set_rule(org)
    assert cw.run_due_calendar_work(kyiv(2026, 12, 3, 8, 59)) == []
    done = cw.run_due_calendar_work(kyiv(2026, 12, 3, 9, 0))
    assert [summary for _, summary in done] == ["report 1 sent"]
    assert cw.run_due_calendar_work(kyiv(2026, 12, 3, 9, 1)) == []  # the slot is spent
    with org_scope(org):
        row = CalendarSchedule.objects.get()
    assert row.next_run_at == kyiv(2026, 12, 4, 9, 0)
    assert row.last_summary == "report 1 sent"
    assert [r["scheduled_for"] for r in ran] == [kyiv(2026, 12, 3, 9, 0)]


@pytest.mark.django_db
def test_a_scheduler_down_for_days_catches_up_once(work):
    org = make_org(time_zone="Europe/Kyiv")
    set_rule(org)
    cw.run_due_calendar_work(kyiv(2026, 12, 6, 15, 0))  # three slots missed
    assert [r["scheduled_for"] for r in ran] == [kyiv(2026, 12, 3, 9, 0)]
    with org_scope(org):
        assert CalendarSchedule.objects.get().next_run_at == kyiv(2026, 12, 7, 9, 0)


@pytest.mark.django_db
def test_a_second_runner_cannot_claim_the_same_slot(work):
    org = make_org(time_zone="Europe/Kyiv")
    set_rule(org)
    with org_scope(org):
        stale = CalendarSchedule.objects.select_related("organization").get()
    now = kyiv(2026, 12, 3, 9, 0)
    assert cw._claim(stale, now=now) == kyiv(2026, 12, 3, 9, 0)
    with org_scope(org):
        seen_by_other = CalendarSchedule.objects.select_related("organization").get()
    seen_by_other.next_run_at = kyiv(2026, 12, 3, 9, 0)  # what the other runner read before
    assert cw._claim(seen_by_other, now=now) is None
    with org_scope(org):
        assert CalendarSchedule.objects.get().next_run_at == kyiv(2026, 12, 4, 9, 0)


@pytest.mark.django_db
def test_runs_in_the_organizations_scope_language_and_zone(work):
    ny = make_org(time_zone="America/New_York", language="en")
    kv = make_org(time_zone="Europe/Kyiv", language="uk")
    set_rule(ny, subject_id=1, now=datetime(2026, 12, 3, 0, 0, tzinfo=UTC))
    set_rule(kv, subject_id=2, now=datetime(2026, 12, 3, 0, 0, tzinfo=UTC))
    with translation.override("en"):
        cw.run_due_calendar_work(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    by_subject = {r["subject"]: r for r in ran}
    # 09:00 in Kyiv is 07:00 UTC, 09:00 in New York is 14:00 UTC: both due at 15:00 UTC.
    assert by_subject[1]["scheduled_for"] == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    assert by_subject[2]["scheduled_for"] == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    assert (by_subject[1]["org"], by_subject[1]["language"], by_subject[1]["zone"]) == (
        ny,
        "en",
        "America/New_York",
    )
    assert (by_subject[2]["org"], by_subject[2]["language"], by_subject[2]["zone"]) == (
        kv,
        "uk",
        "Europe/Kyiv",
    )


@pytest.mark.django_db
def test_a_failing_handler_is_recorded_and_the_others_still_run(work):
    org = make_org(time_zone="Europe/Kyiv")
    set_rule(org, subject_id=666)
    set_rule(org, subject_id=2)
    done = cw.run_due_calendar_work(kyiv(2026, 12, 3, 9, 0))
    assert sorted(summary for _, summary in done) == [
        "failed: RuntimeError: the report template is broken",
        "report 2 sent",
    ]
    with org_scope(org):
        broken = CalendarSchedule.objects.get(subject_id=666)
    assert broken.last_summary.startswith("failed: RuntimeError")
    assert broken.next_run_at == kyiv(2026, 12, 4, 9, 0)


@pytest.mark.django_db
def test_pause_stops_runs_and_setting_again_resumes(work):
    org = make_org(time_zone="Europe/Kyiv")
    schedule = set_rule(org)
    cw.calendar_schedule_pause(schedule=schedule, actor=SYSTEM)
    assert cw.run_due_calendar_work(kyiv(2026, 12, 3, 9, 0)) == []
    weekly = Recurrence(frequency=Frequency.WEEKLY, at=time(10, 0), weekday=0)
    set_rule(org, rule=weekly, now=kyiv(2026, 12, 3, 9, 0))
    with org_scope(org):
        row = CalendarSchedule.objects.get()
        assert AuditLog.objects.filter(action__startswith="calendar_schedule.").count() == 3
    assert (row.frequency, row.weekday, row.next_run_at) == ("weekly", 0, kyiv(2026, 12, 7, 10, 0))


@pytest.mark.django_db
def test_unknown_work_is_refused_and_nothing_is_written(work):
    org = make_org()
    with pytest.raises(ValueError):
        cw.calendar_schedule_set(
            organization=org,
            work="nobody.home",
            subject_id=1,
            rule=DAILY_9,
            actor=SYSTEM,
            now=kyiv(2026, 12, 3, 8, 0),
        )
    with org_scope(org):
        assert not CalendarSchedule.objects.exists()
        assert not AuditLog.objects.filter(action__startswith="calendar_schedule.").exists()


@pytest.mark.django_db
def test_queries_per_tick_do_not_grow_with_due_rows_beyond_the_per_row_claim(
    work, django_assert_num_queries
):
    org = make_org(time_zone="Europe/Kyiv")
    for subject in range(3):
        set_rule(org, subject_id=subject)
    # One SELECT for the due rows (organizations joined), then per row: the claim and the
    # summary. The handler here writes nothing.
    with django_assert_num_queries(1 + 3 * 2):
        cw.run_due_calendar_work(kyiv(2026, 12, 3, 9, 0))


@pytest.mark.django_db
def test_driven_by_tick_as_a_periodic_job(work):
    org = make_org(time_zone="Europe/Kyiv")
    set_rule(org)
    results = dict(jobs.run_due_jobs(kyiv(2026, 12, 3, 9, 0), only=["core.calendar_work"]))
    assert results == {"core.calendar_work": "1 run, 0 failed"}
    assert len(ran) == 1
