"""Group lessons remind each participant still booked, as an appointment reminds its client:
once per participant and start, at the organization's lead time, not at night, not a
cancelled place — and the sweep's queries do not grow with the participants."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from zapys.catalog.services import group_create
from zapys.clients.models import Client
from zapys.messaging.models import Message
from zapys.schedule.models import Attendance
from zapys.schedule.services import lesson_create
from zapys.visit_messages import events
from zapys.visit_messages.models import VisitNotice
from zapys.visit_messages.services import reminders_sweep
from zapys.visit_messages.tests.conftest import at, sent

pytestmark = pytest.mark.django_db


def _clients(org, n: int, tag: str) -> list[Client]:
    return [
        Client.objects.create(
            organization=org,
            name=f"Учасниця {tag}{i}",
            first_name="Ірина",
            phone=f"+38067{ord(tag[0]) % 100:02d}{i:05d}",
        )
        for i in range(n)
    ]


def _lesson(salon, starts_at, clients, name="Йога"):
    org = salon["org"]
    group = group_create(organization=org, name=name, actor=SYSTEM)
    (lesson,) = lesson_create(
        organization=org,
        branch=salon["branch"],
        staff=salon["staff"],
        group=group,
        starts_at=starts_at,
        duration_minutes=60,
        client_ids=[c.pk for c in clients],
        actor=SYSTEM,
    )
    return lesson


def test_each_participant_is_reminded_once(salon, time_machine):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    ira, olha, gone = _clients(org, 3, "a")
    lesson = _lesson(salon, at(org, 9, 18), [ira, olha, gone])
    Attendance.objects.filter(visit=lesson, client=gone).update(state=Attendance.State.CANCELLED)
    assert reminders_sweep(at(org, 8, 17, 59)).reminded == 0
    result = reminders_sweep(at(org, 8, 18))
    assert result.reminded == 2
    reminders_sweep(at(org, 8, 18, 1))
    messages = sent(events.REMINDER)
    assert sorted(m.client_id for m in messages) == sorted([ira.pk, olha.pk])
    assert messages[0].text == (
        "Ірино, нагадуємо: Йога, завтра о 18:00, вул. Хрещатик, 22. "
        "Не зможете прийти — зателефонуйте: +380 44 123 45 67"
    )
    assert {m.related_id for m in messages} == {str(lesson.pk)}
    assert VisitNotice.objects.filter(kind="reminder").count() == 2


def test_a_lesson_due_at_night_waits_for_the_morning(salon, time_machine):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    _lesson(salon, at(org, 9, 22), _clients(org, 2, "b"))  # due the 8th at 22:00
    assert reminders_sweep(at(org, 8, 22)).waiting_for_morning == 1
    assert sent() == []
    assert reminders_sweep(at(org, 9, 8)).reminded == 2


def _queries_for(salon, n: int, day: int, tag: str) -> int:
    org = salon["org"]
    _lesson(salon, at(org, day, 10), _clients(org, n, tag), name=f"Пілатес {tag}")
    with CaptureQueriesContext(connection) as ctx:
        result = reminders_sweep(at(org, day - 1, 10))
    assert result.reminded == n
    return len(ctx.captured_queries)


def test_the_sweep_queries_do_not_grow_with_the_participants(salon, time_machine):
    org = salon["org"]
    time_machine.move_to(at(org, 1, 10), tick=False)
    few = _queries_for(salon, 2, 10, "c")
    many = _queries_for(salon, 9, 12, "d")
    assert few == many
    assert Message.objects.filter(event=events.REMINDER).count() == 11
