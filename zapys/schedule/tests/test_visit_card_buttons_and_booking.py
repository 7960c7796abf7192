"""The visit card's lesson buttons and «Записати» from the client card (fifth tour).

A cancelled lesson's card offered every attendance mark («Відмітити прихід», «Зняти
відмітку»…), which the service then refused: it offers what `attendance_mark` accepts. The
client card had no way to book the client: «Записати» opens the new-visit form with the
client chosen, and only a client of the staff member's organization."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_org
from tests.factories_clients import make_client
from tests.pages import staff_page
from zapys.catalog.services import subject_create
from zapys.schedule import services
from zapys.schedule.models import Attendance, Visit

pytestmark = pytest.mark.django_db


def _lesson(org, branch, spec, actor, kids: int = 2, days: int = 3) -> Visit:
    subject = subject_create(organization=org, name=f"Piano {kids}-{days}", actor=actor)
    clients = [make_client(org) for _ in range(kids)]
    (lesson,) = services.lesson_create(
        organization=org,
        branch=branch,
        staff=spec,
        subject=subject,
        starts_at=timezone.now() + timedelta(days=days),
        duration_minutes=45,
        price=20000,
        client_ids=[c.pk for c in clients],
        actor=actor,
    )
    return lesson


def _marks(page: str) -> set[str]:
    return {
        state
        for state in ("planned", "attended", "absent", "cancelled")
        if f'data-testid="mark-{state}"' in page
    }


def test_a_planned_lesson_offers_the_marks(staff_client, owner, org, branch, spec, actor):
    # three days ago: «прийшов» / «не прийшов» are offered from the lesson's day on
    lesson = _lesson(org, branch, spec, actor, days=-3)
    page = staff_page(staff_client, owner, "uk", "schedule:visit_detail", lesson.pk)
    assert _marks(page) == {"attended", "absent", "cancelled"}  # not "planned": it is that
    # a lesson is cancelled as a lesson, not «Скасувати візит»
    assert "Скасувати заняття" in page and "Скасувати візит" not in page
    en = staff_page(staff_client, owner, "en", "schedule:visit_detail", lesson.pk)
    assert "Cancel lesson" in en and "Cancel visit" not in en


def test_a_cancelled_lesson_offers_no_mark(staff_client, owner, org, branch, spec, actor):
    lesson = _lesson(org, branch, spec, actor)
    services.visit_cancel(visit=lesson, actor=actor)
    assert set(Attendance.objects.filter(visit=lesson).values_list("state", flat=True)) == {
        "cancelled"
    }
    for language in ("uk", "en"):
        page = staff_page(staff_client, owner, language, "schedule:visit_detail", lesson.pk)
        assert 'data-testid="attendance-state"' in page  # the participants are listed
        assert _marks(page) == set()
    # and the service would have refused them: nothing changed by a forged post
    a = Attendance.objects.filter(visit=lesson).first()
    staff_client.post(reverse("schedule:attendance_set", args=[a.pk]), {"state": "attended"})
    a.refresh_from_db()
    assert a.state == "cancelled"


def test_the_lesson_card_costs_the_same_queries_for_more_participants(
    staff_client, owner, org, branch, spec, actor
):
    owner.language = "uk"
    owner.save(update_fields=["language"])
    counts = []
    for kids in (1, 4):
        lesson = _lesson(org, branch, spec, actor, kids=kids, days=3 + kids)
        url = reverse("schedule:visit_detail", args=[lesson.pk])
        staff_client.get(url)  # warm the per-request caches alike
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --- «Записати» from the client card ------------------------------------------------------


def test_the_client_card_offers_book_a_visit(staff_client, owner, org, client_a):
    uk = staff_page(staff_client, owner, "uk", "clients:detail", client_a.pk)
    book = reverse("schedule:client_book", args=[client_a.pk])
    assert f'href="{book}"' in uk and "Записати" in uk
    en = staff_page(staff_client, owner, "en", "clients:detail", client_a.pk)
    assert f'href="{book}"' in en and "Book a visit" in en


def test_book_a_visit_opens_the_form_with_the_client_chosen(staff_client, owner, org, client_a):
    owner.language = "uk"
    owner.save(update_fields=["language"])
    response = staff_client.get(reverse("schedule:client_book", args=[client_a.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('schedule:visit_new')}?client={client_a.pk}"
    page = staff_client.get(response["Location"]).content.decode()
    assert f'name="client" id="id_client" value="{client_a.pk}"' in page
    assert 'data-testid="client-chosen">Koval Olena<' in page
    # the way back is the client's card, not the calendar
    assert reverse("clients:detail", args=[client_a.pk]) in page


def test_another_organizations_client_is_not_chosen(staff_client, owner, org, client_a):
    other = make_org("Other salon")
    stranger = make_client(other, "Stranger Anna")
    owner.language = "uk"
    owner.save(update_fields=["language"])
    assert staff_client.get(reverse("schedule:client_book", args=[stranger.pk])).status_code == 404
    page = staff_client.get(f"{reverse('schedule:visit_new')}?client={stranger.pk}")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="client" id="id_client" value=""' in text
    assert "Stranger Anna" not in text
    for junk in ("abc", "-1", "9" * 30):
        response = staff_client.get(f"{reverse('schedule:visit_new')}?client={junk}")
        assert response.status_code == 200
        assert 'name="client" id="id_client" value=""' in response.content.decode()


def test_a_posted_foreign_client_books_nothing(staff_client, org, branch, spec, service):
    stranger = make_client(make_org("Other salon"), "Stranger Anna")
    before = Visit.objects.count()
    response = staff_client.post(
        f"{reverse('schedule:visit_new')}?client={stranger.pk}",
        {
            "client": stranger.pk,
            "staff": spec.pk,
            "service": service.pk,
            "starts_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200  # the form again, with the picker's error
    assert Visit.objects.count() == before


def test_a_deleted_client_is_not_chosen(staff_client, owner, org, client_a):
    client_a.deleted_at = timezone.now()
    client_a.save(update_fields=["deleted_at"])
    assert staff_client.get(reverse("schedule:client_book", args=[client_a.pk])).status_code == 404
    page = staff_client.get(f"{reverse('schedule:visit_new')}?client={client_a.pk}")
    assert 'name="client" id="id_client" value=""' in page.content.decode()
