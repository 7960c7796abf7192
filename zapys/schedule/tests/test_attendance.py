from types import SimpleNamespace

import pytest

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_visit
from zapys.core.models import AuditLog
from zapys.ledger import services as ledger_services
from zapys.ledger.models import Entry
from zapys.ledger.selectors import client_balance
from zapys.memberships import services as membership_services
from zapys.schedule import services
from zapys.schedule.models import Attendance
from zapys.schedule.services import attendance as attendance_services


@pytest.fixture
def calls(monkeypatch):
    """Record what the schedule asks of the memberships and ledger services."""
    log = SimpleNamespace(consumed=[], returned=[], charged=[], cancelled=[], membership=None)
    entries = []  # the fake charges: (pk, cause pk, active)

    def consume(**kw):
        log.consumed.append(kw)
        return log.membership

    def give_back(*, cause, actor):
        log.returned.append(cause.pk)

    def charge(**kw):
        log.charged.append(kw)
        entry = SimpleNamespace(pk=len(log.charged) + 100, cause_pk=kw["cause"].pk, active=True)
        entries.append(entry)
        return entry

    def cancel_for_cause(*, cause, actor, reason):
        # as the ledger does: every active entry the attendance caused
        for entry in entries:
            if entry.cause_pk == cause.pk and entry.active:
                entry.active = False
                log.cancelled.append(entry.pk)

    monkeypatch.setattr(membership_services, "membership_consume_visit", consume)
    monkeypatch.setattr(membership_services, "membership_return_visit", give_back)
    monkeypatch.setattr(ledger_services, "entry_create", charge)
    monkeypatch.setattr(ledger_services, "entries_cancel_for_cause", cancel_for_cause)
    # a client whose balance covers every price (arrival charges only what it covers)
    monkeypatch.setattr(attendance_services, "client_balance", lambda client: 10**9)
    return log


def test_attended_without_membership_charges_price_and_undo_cancels(
    org, spec, service, client_a, actor, calls
):
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    came = services.visit_statuses_ensure(organization=org)["came"]
    services.visit_status_set(visit=v, status=came, actor=actor)
    a = Attendance.objects.get(visit=v)
    assert a.state == "attended" and a.charge == "balance" and a.entry_id == 101
    assert calls.charged[0]["amount"] == 60000
    assert calls.consumed[0]["service"] == service
    services.attendance_mark(attendance=a, state="planned", actor=actor)
    a.refresh_from_db()
    v.refresh_from_db()
    assert a.state == "planned" and a.charge == "" and calls.cancelled == [101]
    assert v.status.code == "booked"
    assert AuditLog.objects.filter(action="attendance.mark", object_id=str(a.pk)).count() == 2


def test_attended_with_membership_consumes_and_no_show_returns(
    org, spec, service, client_a, actor, calls
):
    calls.membership = SimpleNamespace(pk=7)
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    a = Attendance.objects.get(visit=v)
    services.attendance_mark(attendance=a, state="attended", actor=actor)
    a.refresh_from_db()
    v.refresh_from_db()
    assert a.charge == "membership" and a.membership_id == 7 and not calls.charged
    assert v.status.counts_as_came
    services.attendance_mark(attendance=a, state="absent", actor=actor)
    a.refresh_from_db()
    v.refresh_from_db()
    assert calls.returned == [a.pk] and a.charge == ""
    assert v.status.code == "no_show"


def test_setting_off_means_no_charge(org, spec, service, client_a, actor, calls):
    services.schedule_settings_update(
        organization=org, actor=actor, charge_without_membership=False
    )
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    a = Attendance.objects.get(visit=v)
    services.attendance_mark(attendance=a, state="attended", actor=actor)
    a.refresh_from_db()
    assert a.state == "attended" and a.charge == "" and not calls.charged


def test_lesson_journal_marks_each_participant(org, branch, spec, actor, calls):
    from zapys.catalog.services import subject_create

    subject = subject_create(organization=org, name="Piano", actor=actor)
    kids = [make_client(org) for _ in range(2)]
    (lesson,) = services.lesson_create(
        organization=org,
        branch=branch,
        staff=spec,
        subject=subject,
        starts_at=local(org, 2030, 3, 4, 15),
        duration_minutes=45,
        price=20000,
        client_ids=[k.pk for k in kids],
        actor=actor,
    )
    a1, a2 = Attendance.objects.filter(visit=lesson).order_by("id")
    services.attendance_mark(attendance=a1, state="attended", actor=actor)
    services.attendance_mark(attendance=a2, state="absent", actor=actor)
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.state, a1.charge, a2.state, a2.charge) == ("attended", "balance", "absent", "")
    assert calls.charged[0]["amount"] == 20000
    # cancelling the lesson undoes the charge and cancels everyone
    services.visit_cancel(visit=lesson, actor=actor)
    a1.refresh_from_db()
    assert a1.state == "cancelled" and calls.cancelled == [101]


def _top_up(client, amount, actor):
    ledger_services.entry_create(
        client=client, kind="debit", amount=amount, purpose="top_up", actor=actor
    )


def test_real_ledger_charge_and_undo(org, spec, service, client_a, actor):
    """With the ledger and memberships apps in place: no membership, a balance that covers
    the price → a credit entry of the price; undo → the entry is cancelled and the balance
    is back to what it was."""
    _top_up(client_a, 60000, actor)
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    a = Attendance.objects.get(visit=v)
    services.attendance_mark(attendance=a, state="attended", actor=actor)
    assert client_balance(client_a) == 0
    services.attendance_mark(attendance=a, state="absent", actor=actor)
    assert client_balance(client_a) == 60000


def test_arrival_never_pushes_into_debt(org, spec, service, client_a, actor):
    """V1: a balance short of the price → "attended" charges nothing; the visit waits for
    its checkout (the checkout app) and the client owes nothing meanwhile."""
    _top_up(client_a, 59999, actor)
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    a = Attendance.objects.get(visit=v)
    services.attendance_mark(attendance=a, state="attended", actor=actor)
    a.refresh_from_db()
    assert (a.state, a.charge, a.entry_id) == ("attended", "", None)
    assert client_balance(client_a) == 59999
    assert not Entry.objects.filter(purpose="service").exists()


def test_undo_after_staff_cancelled_the_charge_in_the_ledger(org, spec, service, client_a, actor):
    """The charge cancelled by hand in the ledger first: undoing the attendance cancels
    nothing more (no 409) and the balance stays as it was."""
    _top_up(client_a, 60000, actor)
    v = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    a = Attendance.objects.get(visit=v)
    services.attendance_mark(attendance=a, state="attended", actor=actor)
    a.refresh_from_db()
    charge = Entry.objects.get(pk=a.entry_id)
    ledger_services.entry_cancel(entry=charge, actor=actor, reason="by hand")
    entries_before = list(Entry.objects.order_by("id").values("id", "status", "cancel_reason"))
    services.attendance_mark(attendance=a, state="absent", actor=actor)
    a.refresh_from_db()
    assert (a.state, a.charge, a.entry_id) == ("absent", "", None)
    assert list(Entry.objects.order_by("id").values("id", "status", "cancel_reason")) == (
        entries_before
    )
    assert client_balance(client_a) == 60000
