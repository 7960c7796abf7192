"""The audit log names each row's object as it is now, in the reader's language (issue 17):
not the description stored in the writer's language ("Передоплата … 700,00 грн" on an English
page, "Attendance 18@59: cancelled"), at a constant number of queries per page; and codes an
app names (`core.ui.audit_values`) read as their names."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import make_branch
from tests.factories_clients import make_client
from tests.factories_payments import make_account, make_topup
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.core.audit import audit_record
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog
from zapys.core.ui import AUDIT_VALUES, audit_field_key, audit_values
from zapys.schedule.models import Attendance
from zapys.waitlist.models import WaitlistSettings

pytestmark = pytest.mark.django_db


def _read(row: AuditLog, language: str):
    with translation.override(language):
        (text,) = audit_rows_read([row])
    return text


def test_a_payment_row_reads_in_the_readers_language_and_its_status_is_capitalised(org):
    with translation.override("uk"):  # written by a Ukrainian request
        payment = make_topup(org, account=make_account(org), amount=70000)
    row = AuditLog.objects.filter(object_type="payments.payment", object_id=str(payment.pk)).first()
    assert row is not None and "грн" in row.object_repr
    english = _read(row, "en")
    assert "UAH" in english.object_text and "грн" not in english.object_text
    ukrainian = _read(row, "uk")
    assert "700,00\u00a0грн" in ukrainian.object_text
    statuses = {c.new for c in english.changes if c.label == "Status"}
    assert statuses <= {"Awaiting payment", "Created"} and statuses
    with translation.override("en"):
        assert payment.get_status_display() in ("Awaiting payment", "Created")
        payment.status = "succeeded"
        assert payment.get_status_display() == "Paid"
    with translation.override("uk"):
        assert payment.get_status_display() == "Оплачено"


def _attendance_rows(org, actor, count: int) -> list[AuditLog]:
    branch = make_branch(org)
    staff = make_specialist(org, branch)
    service = make_service(org, "Стрижка")
    for number in range(count):
        client = make_client(org, f"Кравець Андрій {number}")
        visit = make_visit(
            org,
            client=client,
            staff=staff,
            service=service,
            branch=branch,
            starts_at=local(org, 2026, 12, 5, 10 + number % 8),
        )
        attendance = Attendance.objects.get(visit=visit)
        audit_record(organization=org, actor=actor, action="visit.status", obj=attendance)
    return list(AuditLog.objects.filter(object_type="schedule.attendance"))


def test_an_attendance_reads_as_client_service_and_time_at_one_query_for_all(org, actor):
    rows = _attendance_rows(org, actor, 1)
    # Written without loading the client and the visit: the number, for once it is deleted.
    assert rows[0].object_repr == f"Attendance #{rows[0].object_id}"
    text = _read(rows[0], "en")
    assert text.object_text.startswith("Кравець Андрій 0 — Стрижка, ")
    # An unmarked attendance says what the visit's status says (schedule 6f1a9e2).
    assert "@" not in text.object_text and text.object_text.endswith("· Booked")
    assert "· Записано" in _read(rows[0], "uk").object_text
    with CaptureQueriesContext(connection) as one:
        audit_rows_read(rows)
    rows = _attendance_rows(org, actor, 6)
    with CaptureQueriesContext(connection) as seven:
        texts = audit_rows_read(rows)
    assert len(seven) == len(one)
    assert all(" — Стрижка, " in t.object_text for t in texts)


def test_a_declared_code_reads_as_its_name_and_other_keys_are_untouched(org, actor):
    client = make_client(org, "Шевчук Марія")
    names = {"waitlist.booked": "Waiting list: booked"}
    audit_values("clients.client", "test_code", lambda code: names.get(code, code))
    try:
        audit_record(
            organization=org,
            actor=actor,
            action="client.update",
            obj=client,
            changes={"test_code": [None, "waitlist.booked"], "reason": "waitlist.booked"},
        )
        row = AuditLog.objects.get(action="client.update", object_id=str(client.pk))
        changes = {c.label: (c.old, c.new) for c in _read(row, "en").changes}
    finally:
        AUDIT_VALUES.withdraw(audit_field_key("clients.client", "test_code"))
    assert changes["Test code"] == ("—", "Waiting list: booked")
    assert changes["Reason"] == (None, "waitlist.booked")  # no declaration: the value as it is


def test_an_object_whose_relations_are_loaded_keeps_its_name_for_once_deleted(org, actor):
    rows = _attendance_rows(org, actor, 1)
    attendance = Attendance.objects.select_related(*Attendance.str_related).get(
        pk=rows[0].object_id
    )
    with translation.override("uk"):
        row = audit_record(organization=org, actor=actor, action="visit.status", obj=attendance)
    assert row.object_repr.startswith("Кравець Андрій 0 — Стрижка, ")
    row.object_id = str(attendance.pk + 1000)  # deleted since: the stored name is shown
    assert _read(row, "en").object_text == row.object_repr


def test_a_settings_row_is_named_by_its_kind_alone(org, actor):
    settings = WaitlistSettings.objects.create(organization=org)
    audit_record(organization=org, actor=actor, action="waitlist.settings", obj=settings)
    row = AuditLog.objects.get(object_type="waitlist.waitlistsettings")
    text = _read(row, "en")
    assert (text.object_kind, text.object_text) == ("Waiting list settings", "")
    assert "Налаштування" in _read(row, "uk").object_kind


def test_visits_are_named_at_one_query_for_all_without_a_declaration(org, actor):
    _attendance_rows(org, actor, 1)
    rows = list(AuditLog.objects.filter(object_type="schedule.visit"))
    assert rows  # the visits' own rows, named by Visit.__str__ (reads the service)
    with CaptureQueriesContext(connection) as one:
        audit_rows_read(rows[:1])
    _attendance_rows(org, actor, 6)
    rows = list(AuditLog.objects.filter(object_type="schedule.visit"))
    with CaptureQueriesContext(connection) as many:
        texts = audit_rows_read(rows)
    assert len(many) == len(one)
    assert all("Стрижка" in t.object_text for t in texts)
