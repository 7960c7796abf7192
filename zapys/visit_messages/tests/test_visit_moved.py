"""«Your visit moved»: a visit staff or the API move to another time or specialist is told to
its client once per move, if the organization tells moves; not for a past or cancelled visit;
a move at night waits for the end of the quiet hours, as the reminders do."""

from __future__ import annotations

import pytest

from tests.factories import SYSTEM
from tests.factories_schedule import make_specialist, make_visit
from zapys.schedule import hooks
from zapys.schedule import services as schedule
from zapys.visit_messages import events
from zapys.visit_messages.models import VisitNotice
from zapys.visit_messages.services import moved_notices, reminders_sweep, settings_update
from zapys.visit_messages.tests.conftest import at, sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def tells_moves(salon):
    settings_update(organization=salon["org"], actor=SYSTEM, notify_moved=True)
    return salon


def book(salon, starts_at, capture):
    with capture(execute=True):
        return make_visit(
            salon["org"],
            client=salon["client"],
            staff=salon["staff"],
            service=salon["service"],
            starts_at=starts_at,
        )


def move(visit, starts_at, capture, **fields):
    with capture(execute=True):
        return schedule.visit_reschedule(visit=visit, starts_at=starts_at, actor=SYSTEM, **fields)


def test_a_moved_visit_is_told_its_new_time_once(
    tells_moves, time_machine, django_capture_on_commit_callbacks
):
    salon = tells_moves
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 8, 12), django_capture_on_commit_callbacks)
    move(visit, at(org, 9, 15), django_capture_on_commit_callbacks)
    [message] = sent()
    assert message.event == events.MOVED
    assert message.text == (
        "Оксано, ваш запис перенесено: Стрижка жіноча, 9 грудня о 15:00 "
        "(було 8 грудня о 12:00). вул. Хрещатик, 22, +380 44 123 45 67"
    )
    assert message.related_id == str(visit.pk)
    # the hook run again (a retry) and the sweep send nothing more
    hooks.run_after_time_vacated(
        [hooks.VacatedTime(visit.pk, visit.staff_id, at(org, 8, 12), at(org, 8, 13))]
    )
    reminders_sweep(at(org, 5, 10, 1))
    assert len(sent(events.MOVED)) == 1
    assert VisitNotice.objects.get(kind="moved").outcome == "queued"


def test_not_told_by_default(salon, time_machine, django_capture_on_commit_callbacks):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 8, 12), django_capture_on_commit_callbacks)
    move(visit, at(org, 9, 15), django_capture_on_commit_callbacks)
    assert sent() == []
    assert not VisitNotice.objects.exists()


def test_a_visit_moved_from_the_past_or_to_the_next_minutes_is_not_told(
    tells_moves, time_machine, django_capture_on_commit_callbacks
):
    salon = tells_moves
    org = salon["org"]
    time_machine.move_to(at(org, 5, 9), tick=False)
    past = book(salon, at(org, 5, 10), django_capture_on_commit_callbacks)
    soon = book(salon, at(org, 6, 12), django_capture_on_commit_callbacks)
    time_machine.move_to(at(org, 5, 12), tick=False)
    move(past, at(org, 5, 11), django_capture_on_commit_callbacks)  # the record corrected
    move(soon, at(org, 5, 12, 15), django_capture_on_commit_callbacks)  # the client is here
    assert sent() == []


def test_another_specialist_at_the_same_time_names_the_previous_one(
    tells_moves, time_machine, django_capture_on_commit_callbacks
):
    salon = tells_moves
    org = salon["org"]
    other = make_specialist(org, salon["branch"], first_name="Олена", last_name="Бойко")
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    move(visit, at(org, 9, 15), django_capture_on_commit_callbacks, staff=other)
    [message] = sent(events.MOVED)
    assert "9 грудня о 15:00 (було Марія Шевченко)" in message.text


def test_moved_back_and_forth_each_move_is_told(
    tells_moves, time_machine, django_capture_on_commit_callbacks
):
    salon = tells_moves
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 8, 12), django_capture_on_commit_callbacks)
    for day in (9, 8, 9):
        visit = move(visit, at(org, day, 12), django_capture_on_commit_callbacks)
    texts = [m.text for m in sent(events.MOVED)]
    assert len(texts) == 3
    assert "9 грудня о 12:00 (було 8 грудня о 12:00)" in texts[2]


def test_a_move_at_night_is_told_in_the_morning(
    tells_moves, time_machine, django_capture_on_commit_callbacks
):
    salon = tells_moves
    org = salon["org"]
    time_machine.move_to(at(org, 5, 22), tick=False)
    visit = book(salon, at(org, 8, 12), django_capture_on_commit_callbacks)
    move(visit, at(org, 9, 15), django_capture_on_commit_callbacks)
    assert sent() == []
    assert VisitNotice.objects.get(kind="moved").outcome == "waiting"
    reminders_sweep(at(org, 6, 7, 59))
    assert sent() == []
    time_machine.move_to(at(org, 6, 8), tick=False)
    assert reminders_sweep(at(org, 6, 8)).moved == 1
    reminders_sweep(at(org, 6, 8, 1))
    [message] = sent(events.MOVED)
    assert "9 грудня о 15:00 (було 8 грудня о 12:00)" in message.text


def test_a_move_waiting_for_the_morning_is_dropped_when_the_visit_is_cancelled(
    tells_moves, time_machine, django_capture_on_commit_callbacks
):
    salon = tells_moves
    org = salon["org"]
    time_machine.move_to(at(org, 5, 22), tick=False)
    visit = book(salon, at(org, 8, 12), django_capture_on_commit_callbacks)
    visit = move(visit, at(org, 9, 15), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=visit, actor=SYSTEM)
    time_machine.move_to(at(org, 6, 8), tick=False)
    reminders_sweep(at(org, 6, 8))
    assert sent() == []
    assert VisitNotice.objects.get(kind="moved").outcome == "stale"


def test_a_move_inside_the_reminder_window_is_not_followed_by_a_reminder(
    tells_moves, time_machine, django_capture_on_commit_callbacks
):
    salon = tells_moves
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 9, 12), django_capture_on_commit_callbacks)
    time_machine.move_to(at(org, 8, 10), tick=False)
    move(visit, at(org, 8, 18), django_capture_on_commit_callbacks)  # tells «today at 18:00»
    reminders_sweep(at(org, 8, 10, 1))
    assert [m.event for m in sent()] == [events.MOVED]


def test_an_organization_that_does_not_tell_moves_pays_one_query(
    salon, time_machine, django_capture_on_commit_callbacks, django_assert_num_queries
):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 8, 12), django_capture_on_commit_callbacks)
    moved = hooks.VacatedTime(visit.pk, visit.staff_id, at(org, 7, 12), at(org, 7, 13))
    with django_assert_num_queries(1):
        assert moved_notices([moved]) == 0
