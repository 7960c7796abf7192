"""Visit confirmations and reminders: once per booking and start, at the lead time, never at
night, never for a cancelled visit or another organization's, a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SYSTEM, make_branch
from tests.factories_messaging import make_transport_account
from tests.factories_schedule import make_service, make_specialist, make_visit
from zapys.clients.models import Client
from zapys.core.tenancy import org_scope
from zapys.messaging.models import Message
from zapys.schedule import hooks
from zapys.schedule import services as schedule
from zapys.schedule.models import Visit
from zapys.schedule.services.statuses import status_first
from zapys.visit_messages import events
from zapys.visit_messages.models import VisitNotice
from zapys.visit_messages.services import confirmation_send, reminders_sweep, settings_update
from zapys.visit_messages.tests.conftest import at, sent

pytestmark = pytest.mark.django_db


def book(salon, starts_at, capture, **fields) -> Visit:
    with capture(execute=True):
        return make_visit(
            salon["org"],
            client=salon["client"],
            staff=salon["staff"],
            service=salon["service"],
            starts_at=starts_at,
            **fields,
        )


def test_a_staff_booking_is_not_confirmed_by_default(
    salon, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(salon["org"], 7, 10), tick=False)
    book(salon, at(salon["org"], 9, 15), django_capture_on_commit_callbacks)
    assert sent() == []
    assert not VisitNotice.objects.exists()


def test_a_staff_booking_is_confirmed_once_in_ukrainian(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, confirm_staff=True)
    time_machine.move_to(at(org, 7, 10), tick=False)
    visit = book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    hooks.run_after_visit_created(visit.pk)  # a second call (a retry) sends nothing more
    [message] = sent()
    assert message.event == events.CONFIRMATION
    assert message.text == (
        # the service quoted and the branch named, as the prepayment's texts (sixth tour, #21)
        f"Оксано, ви записані на «Стрижка жіноча» 9 грудня о 15:00, {salon['branch'].name}, "
        f"вул. Хрещатик, 22. {org.name}, +380 44 123 45 67"
    )
    assert message.related_id == str(visit.pk)


def test_english_organization_gets_english_words(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    org.language = "en"
    org.save(update_fields=["language"])
    settings_update(organization=org, actor=SYSTEM, confirm_staff=True)
    time_machine.move_to(at(org, 7, 10), tick=False)
    book(salon, at(org, 8, 15), django_capture_on_commit_callbacks)
    [message] = sent()
    assert message.text.startswith(
        f"Оксана, you are booked for Стрижка жіноча tomorrow at 15:00, {salon['branch'].name}, "
    )


def test_a_walk_in_and_a_cancelled_visit_get_no_confirmation(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, confirm_staff=True)
    time_machine.move_to(at(org, 7, 14, 50), tick=False)
    book(salon, at(org, 7, 15), django_capture_on_commit_callbacks)  # in 10 minutes
    cancelled = status_first(org, is_cancellation=True)
    book(salon, at(org, 9, 15), django_capture_on_commit_callbacks, status=cancelled)
    assert sent() == []


def test_an_online_booking_is_confirmed_once(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    time_machine.move_to(at(org, 7, 10), tick=False)
    visit = book(
        salon, at(org, 9, 15), django_capture_on_commit_callbacks, source=Visit.Source.ONLINE
    )
    assert sent() == []  # not through the staff hook: the public page's hook confirms it
    hooks.run_after_online_visit_created(visit.pk)
    hooks.run_after_online_visit_created(visit.pk)
    assert [m.event for m in sent()] == [events.CONFIRMATION]


def test_an_online_booking_waiting_for_a_prepayment_is_not_confirmed(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    time_machine.move_to(at(org, 7, 10), tick=False)
    visit = book(
        salon, at(org, 9, 15), django_capture_on_commit_callbacks, source=Visit.Source.ONLINE
    )
    Visit.objects.filter(pk=visit.pk).update(booking_state=Visit.BookingState.PENDING)
    hooks.run_after_online_visit_created(visit.pk)
    assert sent() == []


def test_online_confirmation_switched_off(salon, time_machine, django_capture_on_commit_callbacks):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, confirm_online=False)
    time_machine.move_to(at(org, 7, 10), tick=False)
    visit = book(
        salon, at(org, 9, 15), django_capture_on_commit_callbacks, source=Visit.Source.ONLINE
    )
    hooks.run_after_online_visit_created(visit.pk)
    assert sent() == []


# --- reminders -----------------------------------------------------------------------------


def test_the_reminder_goes_at_the_lead_time_and_only_once(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    reminders_sweep(at(org, 8, 14, 59))
    assert sent() == []
    time_machine.move_to(at(org, 8, 15), tick=False)
    result = reminders_sweep(at(org, 8, 15))
    assert result.reminded == 1
    reminders_sweep(at(org, 8, 15, 1))
    reminders_sweep(at(org, 8, 18))
    [message] = sent(events.REMINDER)
    assert message.text == (
        "Оксано, нагадуємо: Стрижка жіноча, завтра о 15:00, вул. Хрещатик, 22. "
        "Не зможете прийти — зателефонуйте: +380 44 123 45 67"
    )
    assert message.related_id == str(visit.pk)
    assert VisitNotice.objects.get(kind="reminder").outcome == "queued"


def test_a_cancelled_visit_is_not_reminded(salon, time_machine, django_capture_on_commit_callbacks):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    schedule.visit_cancel(visit=visit, actor=SYSTEM)
    reminders_sweep(at(org, 8, 16))
    assert sent() == []
    assert not VisitNotice.objects.exists()


def test_switched_off_reminders_send_nothing(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, remind=False)
    time_machine.move_to(at(org, 5, 10), tick=False)
    book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    reminders_sweep(at(org, 9, 10))
    assert sent() == []


def test_a_reminder_due_at_night_goes_when_the_quiet_hours_end(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    book(salon, at(org, 9, 22, 30), django_capture_on_commit_callbacks)  # due 8th at 22:30
    for moment in (at(org, 8, 22, 30), at(org, 9, 3), at(org, 9, 7, 59)):
        result = reminders_sweep(moment)
        assert result.waiting_for_morning == 1
    assert sent() == []
    time_machine.move_to(at(org, 9, 8), tick=False)
    reminders_sweep(at(org, 9, 8))
    [message] = sent(events.REMINDER)
    assert "сьогодні о 22:30" in message.text


def test_a_reminder_that_the_night_makes_too_late_is_skipped(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, reminder_hours=2)
    time_machine.move_to(at(org, 5, 10), tick=False)
    book(salon, at(org, 9, 8, 20), django_capture_on_commit_callbacks)  # due at 06:20, quiet
    for moment in (at(org, 9, 6, 20), at(org, 9, 8), at(org, 9, 8, 5)):
        reminders_sweep(moment)
    assert sent() == []


def test_a_moved_visit_is_reminded_of_its_new_time(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    time_machine.move_to(at(org, 5, 10), tick=False)
    visit = book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    reminders_sweep(at(org, 8, 15))
    schedule.visit_reschedule(visit=visit, starts_at=at(org, 10, 16), actor=SYSTEM)
    reminders_sweep(at(org, 8, 16))
    assert len(sent(events.REMINDER)) == 1
    time_machine.move_to(at(org, 9, 16), tick=False)
    reminders_sweep(at(org, 9, 16))
    first, second = sent(events.REMINDER)
    assert "завтра о 16:00" in second.text
    assert first.idempotency_key != second.idempotency_key


def test_a_booking_confirmed_inside_the_window_gets_no_reminder(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, confirm_staff=True, second_reminder_hours=2)
    time_machine.move_to(at(org, 9, 9), tick=False)
    book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)  # 6 hours ahead
    reminders_sweep(at(org, 9, 9, 1))
    assert [m.event for m in sent()] == [events.CONFIRMATION]
    assert VisitNotice.objects.get(kind="reminder").outcome == "not_needed"
    time_machine.move_to(at(org, 9, 13), tick=False)
    reminders_sweep(at(org, 9, 13))  # the second reminder, 2 hours before, still goes
    assert [m.event for m in sent()] == [events.CONFIRMATION, events.REMINDER]
    assert "сьогодні о 15:00" in sent(events.REMINDER)[0].text


def test_a_late_first_reminder_gives_way_to_the_second(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, second_reminder_hours=2)
    time_machine.move_to(at(org, 9, 13, 30), tick=False)
    book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    reminders_sweep(at(org, 9, 13, 31))
    assert len(sent(events.REMINDER)) == 1
    assert VisitNotice.objects.get(kind="reminder").outcome == "not_needed"


def test_another_organizations_visits_follow_its_own_settings(
    salon, other_org, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    settings_update(organization=org, actor=SYSTEM, remind=False)
    time_machine.move_to(at(org, 5, 10), tick=False)
    book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    with org_scope(other_org):
        branch = make_branch(other_org, "B")
        make_transport_account(other_org, "sms")
        staff = make_specialist(other_org, branch)
        service = make_service(other_org, "Манікюр", branches=[branch])
        client = Client.objects.create(
            organization=other_org, name="Бондар Ірина", phone="+380671112233"
        )
        make_visit(other_org, client=client, staff=staff, service=service, starts_at=at(org, 9, 15))
    reminders_sweep(at(org, 8, 15))
    with org_scope(other_org):
        assert [m.event for m in Message.objects.all()] == [events.REMINDER]
    assert sent() == []


def test_a_client_no_channel_reaches_is_recorded_and_not_retried(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    Client.objects.filter(pk=salon["client"].pk).update(phone="")
    time_machine.move_to(at(org, 5, 10), tick=False)
    book(salon, at(org, 9, 15), django_capture_on_commit_callbacks)
    result = reminders_sweep(at(org, 8, 15))
    assert (result.reminded, result.not_sent) == (0, 1)
    assert VisitNotice.objects.get().outcome == "not_sent"
    assert reminders_sweep(at(org, 8, 16)).not_sent == 0


def _queries_for(salon, n: int, day: int, capture) -> int:
    org = salon["org"]
    for i in range(n):
        client = Client.objects.create(
            organization=org, name=f"Клієнт {day} {i}", phone=f"+38050{day:02d}{i:05d}"
        )
        with capture(execute=True):
            make_visit(
                org,
                client=client,
                staff=salon["staff"],
                service=salon["service"],
                starts_at=at(org, day, 9) + timedelta(minutes=60 * i % 540),
            )
    with CaptureQueriesContext(connection) as ctx:
        result = reminders_sweep(at(org, day - 1, 18))
    assert result.reminded == n
    return len(ctx.captured_queries)


def test_the_sweep_reads_a_constant_number_of_queries(
    salon, time_machine, django_capture_on_commit_callbacks
):
    org = salon["org"]
    time_machine.move_to(at(org, 1, 10), tick=False)
    staff2 = make_specialist(org, salon["branch"])
    few = _queries_for(salon, 2, 10, django_capture_on_commit_callbacks)
    salon["staff"] = staff2
    many = _queries_for(salon, 9, 12, django_capture_on_commit_callbacks)
    assert few == many
    assert timezone.now()  # the clock stood still


# --- what a booking costs ------------------------------------------------------------------


def test_a_visit_that_cannot_be_confirmed_reads_nothing(
    salon, time_machine, django_assert_num_queries
):
    """`confirmation_send` runs after every `visit_create`: a walk-in (starting in minutes)
    costs no query at all (nor does a visit without a client or a lesson: the same check)."""
    org = salon["org"]
    time_machine.move_to(at(org, 7, 14, 50), tick=False)
    walk_in = make_visit(
        org,
        client=salon["client"],
        staff=salon["staff"],
        service=salon["service"],
        starts_at=at(org, 7, 15),
    )
    walk_in = Visit.objects.select_related("organization").get(pk=walk_in.pk)
    with django_assert_num_queries(0):
        assert confirmation_send(walk_in) is None


def test_staff_confirmations_off_cost_one_query(salon, time_machine, django_assert_num_queries):
    """The switch is read with the visit, in one query (it was the settings and then the
    visit when confirmations are on; the settings alone when off)."""
    org = salon["org"]
    time_machine.move_to(at(org, 7, 10), tick=False)
    visit = make_visit(
        org,
        client=salon["client"],
        staff=salon["staff"],
        service=salon["service"],
        starts_at=at(org, 9, 15),
    )
    visit = Visit.objects.select_related("organization").get(pk=visit.pk)
    with django_assert_num_queries(1):
        assert confirmation_send(visit) is None  # no settings row: staff bookings unconfirmed
    settings_update(organization=org, actor=SYSTEM, remind=False)  # a row, switch still off
    with django_assert_num_queries(1):
        assert confirmation_send(visit) is None
    assert sent() == []
