"""The schedule's words for attendance and statuses are ones a salon would show any client
(issue 17): no Ukrainian word that says "he" of a woman ("Відвідав", "Записаний",
"не прийшов"); a group lesson's staff member is its teacher, as on the lesson form; the
prepayment settings offer one status for an unpaid cancellation, not two."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import translation

from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, local, make_visit
from zapys.core.exceptions import DomainError
from zapys.schedule import services
from zapys.schedule.dashboard import widgets
from zapys.schedule.models import Attendance

#: The gendered forms the catalogue used to have; none may appear on a Ukrainian page.
GENDERED = ("Відвідав", "Відсутній", "Записаний", "Прийшов", "прийшов")


def _page(staff_client, url: str, language: str, **headers: str) -> str:
    staff_client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = staff_client.get(url, headers=headers)
    assert response.status_code == 200, (url, language)
    return response.content.decode()


@pytest.fixture
def lesson(org, branch, spec, actor):
    from zapys.catalog.services import subject_create

    subject = subject_create(organization=org, name="Stretching", actor=actor)
    kids = [make_client(org) for _ in range(3)]
    (visit,) = services.lesson_create(
        organization=org,
        branch=branch,
        staff=spec,
        subject=subject,
        # a past day: «Відмітити прихід» / «неявку» are offered from the lesson's day on
        starts_at=local(org, 2025, 3, 4, 15),
        duration_minutes=45,
        price=0,
        client_ids=[k.pk for k in kids],
        actor=actor,
    )
    first, second, _third = Attendance.objects.filter(visit=visit).order_by("id")
    services.attendance_mark(attendance=first, state="attended", actor=actor)
    services.attendance_mark(attendance=second, state="absent", actor=actor)
    return visit


def _badges(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">([^<]*)<', html)


@pytest.mark.parametrize(
    ("language", "states", "actions"),
    [
        (
            "en",
            ("Booked", "Attended", "No-show"),
            ("Clear the mark", "Mark attended", "Mark no-show", "Cancel"),
        ),
        (
            "uk",
            ("Записано", "Відвідано", "Неявка"),
            ("Зняти відмітку", "Відмітити прихід", "Відмітити неявку", "Скасувати"),
        ),
    ],
)
def test_attendance_states_read_the_same_for_anyone_and_buttons_say_what_they_do(
    staff_client, lesson, language, states, actions
):
    planned, attended, absent = states
    back, mark_attended, mark_absent, cancel = actions
    journal = _page(staff_client, "/attendance/?date=2025-03-04", language)
    assert _badges(journal, "journal-state") == [attended, absent, planned]
    # the buttons that mark a state say the action (schedule/actions.py), not the state
    assert re.findall(r'data-testid="journal-attended">([^<]*)<', journal) == [mark_attended] * 2
    assert re.findall(r'data-testid="journal-absent">([^<]*)<', journal) == [mark_absent] * 2
    assert re.findall(r'data-testid="journal-cancelled">([^<]*)<', journal) == [cancel] * 3
    assert re.findall(r'data-testid="journal-planned">([^<]*)<', journal) == [back] * 2
    card = _page(staff_client, f"/visits/{lesson.pk}/", language, **{"HX-Request": "true"})
    assert _badges(card, "attendance-state") == [attended, absent, planned]
    assert re.findall(r'data-testid="mark-attended">([^<]*)<', card) == [mark_attended] * 2
    if language == "uk":
        for page in (journal, card):
            assert not [word for word in GENDERED if word in page]


@pytest.mark.parametrize(
    ("language", "words", "error"),
    [
        (
            "en",
            ["Booked", "Confirmed", "Attended", "No-show", "Counts as attended"],
            "A status can be only one of: attended, no-show, cancellation.",
        ),
        (
            "uk",
            ["Записано", "Підтверджено", "Відвідано", "Неявка", "Вважається відвідуванням"],
            "Статус може означати лише одне: відвідування, неявку або скасування.",
        ),
    ],
)
def test_the_status_settings_use_the_same_words(staff_client, org, language, words, error):
    page = _page(staff_client, "/settings/schedule/", language)
    for word in words:
        assert word in page, word
    with pytest.raises(DomainError) as refused, translation.override(language):
        services.visit_status_create(
            organization=org,
            name="Both",
            actor=SYSTEM,
            counts_as_came=True,
            is_no_show=True,
        )
    assert refused.value.detail == error
    if language == "uk":
        assert not [word for word in GENDERED if word in page]


@time_machine.travel("2030-03-04T06:00:00+00:00", tick=False)  # Monday 08:00 in Kyiv
def test_the_dashboard_counts_visits_in_the_status_word(org, branch, owner, spec, service):
    visit = make_visit(
        org, client=make_client(org), staff=spec, service=service, starts_at=local(org, 2030, 3, 4)
    )
    came = services.visit_statuses_ensure(organization=org)["came"]
    services.visit_status_set(visit=visit, status=came, actor=SYSTEM)
    request = RequestFactory().get("/", {"branch": branch.pk})
    request.user = owner
    request.organization = org  # type: ignore[attr-defined]
    request.session = {}  # type: ignore[assignment]
    for language, hint in (("en", "1 attended"), ("uk", "відвідано: 1")):
        with translation.override(language):
            assert widgets(request)[0]["hint"] == hint


@pytest.mark.parametrize(
    ("language", "teacher", "specialist"),
    [("en", "Teacher", "Specialist"), ("uk", "Викладач", "Спеціаліст")],
)
def test_a_lessons_card_names_its_teacher_an_appointments_its_specialist(
    staff_client, org, spec, service, client_a, lesson, language, teacher, specialist
):
    org.business_kind = "school"  # a school's words (core/vocabulary.py)
    org.save(update_fields=["business_kind"])
    appointment = make_visit(
        org, client=client_a, staff=spec, service=service, starts_at=local(org, 2030, 3, 4, 10)
    )
    for visit, word in ((lesson, teacher), (appointment, specialist)):
        card = _page(staff_client, f"/visits/{visit.pk}/", language, **{"HX-Request": "true"})
        assert _badges(card, "visit-staff-label") == [word], (visit.kind, language)
        # the move form under it: the same word for who takes the visit
        move = card.split('data-testid="visit-reschedule"')[0].rsplit("<form", 1)[1]
        assert f">{word}</label>" in move, (visit.kind, language)
    form = _page(staff_client, "/calendar/lessons/new/", language)
    assert f'for="id_staff">{teacher} <span' in form, language


@pytest.mark.parametrize(
    ("language", "system", "help_text"),
    [
        (
            "en",
            "Cancelled: booking unpaid (system status)",
            "Administrators cannot set a system status by hand.",
        ),
        (
            "uk",
            "Скасовано: передоплату не сплачено (системний статус)",
            "Адміністратори не можуть установити системний статус вручну.",
        ),
    ],
)
def test_the_prepayment_settings_offer_the_seeded_unpaid_status_once(
    staff_client, org, language, system, help_text
):
    statuses = services.visit_statuses_ensure(organization=org)
    page = _page(staff_client, "/settings/prepayment/?tab=term", language)
    select = re.search(r'<select name="cancel_status".*?</select>', page, re.S)
    assert select, page
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select.group(0))
    # the system status is the empty choice, by name, and not a second option
    assert options[0] == ("", system)
    assert str(statuses["cancelled_unpaid"].pk) not in [value for value, _label in options]
    assert str(statuses["cancelled"].pk) in [value for value, _label in options]
    assert help_text in page
    # no button to create a "dedicated" twin of the same meaning
    assert 'data-testid="create-cancel-status"' not in page


def test_the_create_button_stays_for_an_organization_without_the_system_status(staff_client, org):
    """Organizations seeded before the system status existed have none: there the button
    is how they get one, and nothing else in the select changes."""
    statuses = services.visit_statuses_ensure(organization=org)
    statuses["cancelled_unpaid"].delete()
    page = _page(staff_client, "/settings/prepayment/?tab=term", "en")
    assert 'data-testid="create-cancel-status"' in page
    assert "Create a system cancellation status (administrators cannot set it by hand)" in page
    assert "(system status)" not in page
