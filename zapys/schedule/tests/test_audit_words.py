"""The audit log names a visit and its changes as the rest of the app does (issue 17): the
visit in the organization's local time and the app's date format (was "2030-03-04 07:00",
UTC and ISO), and every audited field of a visit or an attendance in the reader's language
(was "Source: Online booking", "State: Planned → Cancelled" on the Ukrainian page)."""

from __future__ import annotations

import pytest

from tests.factories_schedule import SYSTEM, local, make_visit
from tests.pages import staff_page
from zapys.schedule import services
from zapys.schedule.models import Attendance, Visit


@pytest.mark.parametrize(
    ("language", "source", "state"),
    [
        ("en", "Source:</span> Online booking", "Attendance:</span> Booked → Cancelled"),
        ("uk", "Джерело:</span> Онлайн-запис", "Відвідування:</span> Записано → Скасовано"),
    ],
)
def test_the_audit_log_names_a_visit_and_its_fields_in_the_readers_words(
    staff_client, org, owner, spec, service, client_a, language, source, state
):
    visit = make_visit(
        org,
        client=client_a,
        staff=spec,
        service=service,
        starts_at=local(org, 2030, 3, 4, 9),  # 07:00 UTC
        source=Visit.Source.ONLINE,
    )
    attendance = Attendance.objects.get(visit=visit)
    services.attendance_mark(attendance=attendance, state="cancelled", actor=SYSTEM)
    page = staff_page(staff_client, owner, language, "core:audit")
    assert "Haircut 04.03.2030 09:00" in page
    assert "2030-03-04" not in page and "07:00" not in page
    assert source in page
    assert state in page
