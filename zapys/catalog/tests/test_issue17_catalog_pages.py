"""Issue 17 (review of the catalogue's pages): the heading says the menu's word ("Services"),
the globe is explained, subjects, lesson types and rooms can be changed and archived (with a
confirmation) and restored, every form's "Cancel" is a link, and a group's long member list
has a filter box."""

from __future__ import annotations

import pytest

from tests.factories import make_staff
from tests.factories_clients import make_client
from tests.pages import staff_page
from zapys.accounts.models import User
from zapys.catalog.forms import GroupForm
from zapys.catalog.models import LessonType, Room, Service, Subject
from zapys.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "word"), [("en", "Services"), ("uk", "Послуги")])
@pytest.mark.parametrize(
    "url", ["catalog:services", "catalog:subjects", "catalog:rooms", "catalog:groups"]
)
def test_the_catalogue_pages_are_headed_with_the_menus_word(
    org, owner, staff_client, language, word, url
):
    page = staff_page(staff_client, owner, language, url)
    assert f">{word}</h1>" in page
    assert "Catalogue</h1>" not in page and "Каталог</h1>" not in page


@pytest.mark.parametrize(
    ("language", "legend"), [("en", "bookable online"), ("uk", "можна записатися онлайн")]
)
def test_the_services_globe_is_explained(org, owner, branch, staff_client, language, legend):
    Service.objects.for_org(org).create(
        organization=org, name="Стрижка", duration_minutes=30, price=40000, online_booking=True
    )
    page = staff_page(staff_client, owner, language, "catalog:services")
    legend_html = page.split('data-testid="services-legend"', 1)[1].split("</p>", 1)[0]
    assert "bi-globe2" in legend_html and legend in legend_html


@pytest.mark.parametrize("url", ["catalog:service_new", "catalog:group_new"])
def test_cancel_is_a_link_as_on_the_other_forms(org, owner, staff_client, url):
    page = staff_page(staff_client, owner, "uk", url)
    assert 'class="btn btn-link" href=' in page and "btn btn-light" not in page


def test_a_subject_is_renamed_archived_and_restored(org, owner, staff_client):
    subject = Subject.objects.for_org(org).create(organization=org, name="Англійська")
    page = staff_page(staff_client, owner, "uk", "catalog:subjects")
    assert f'href="/catalog/subjects/{subject.pk}/"' in page
    edit = staff_page(staff_client, owner, "uk", "catalog:subject_edit", subject.pk)
    assert "Перенести в архів" in edit and "return confirm(" in edit  # asks first
    r = staff_client.post(f"/catalog/subjects/{subject.pk}/", {"name": "  Англійська мова "})
    assert r.status_code == 302
    subject.refresh_from_db()
    assert subject.name == "Англійська мова" and subject.is_active
    r = staff_client.post(f"/catalog/subjects/{subject.pk}/", {"action": "archive"})
    assert r.status_code == 302
    subject.refresh_from_db()
    assert not subject.is_active and subject.name == "Англійська мова"
    assert "В архіві" in staff_page(staff_client, owner, "uk", "catalog:subjects")
    assert subject not in GroupForm(organization=org).fields["subject"].queryset  # not offered
    staff_client.post(f"/catalog/subjects/{subject.pk}/", {"action": "restore"})
    subject.refresh_from_db()
    assert subject.is_active
    actions = list(
        AuditLog.objects.filter(object_type="catalog.subject").values_list("action", flat=True)
    )
    assert actions.count("subject.update") == 3


def test_a_groups_archived_subject_stays_its_choice(org):
    subject = Subject.objects.for_org(org).create(organization=org, name="Гітара", is_active=False)
    form = GroupForm(organization=org, initial={"subject": subject.pk})
    assert subject in form.fields["subject"].queryset


def test_an_empty_name_is_a_field_error_and_changes_nothing(org, owner, staff_client):
    kind = LessonType.objects.for_org(org).create(organization=org, name="Пробне")
    owner.language = "uk"
    owner.save(update_fields=["language"])
    r = staff_client.post(f"/catalog/lesson-types/{kind.pk}/", {"name": "   "})
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    kind.refresh_from_db()
    assert kind.name == "Пробне" and kind.is_active
    assert not AuditLog.objects.filter(action="lesson_type.update").exists()


def test_a_room_is_changed_archived_and_restored(org, owner, branch, staff_client):
    room = Room.objects.for_org(org).create(organization=org, branch=branch, name="Зал 1")
    page = staff_page(staff_client, owner, "en", "catalog:rooms")
    assert f'href="/catalog/rooms/{room.pk}/"' in page
    r = staff_client.post(
        f"/catalog/rooms/{room.pk}/", {"name": "Великий зал", "branch": branch.pk, "capacity": 0}
    )
    assert r.status_code == 200  # capacity below 1: a field error, nothing saved
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Зал 1", 1)
    r = staff_client.post(
        f"/catalog/rooms/{room.pk}/", {"name": "Великий зал", "branch": branch.pk, "capacity": 12}
    )
    assert r.status_code == 302
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Великий зал", 12)
    staff_client.post(f"/catalog/rooms/{room.pk}/", {"action": "archive"})
    room.refresh_from_db()
    assert not room.is_active
    page = staff_page(staff_client, owner, "en", "catalog:room_edit", room.pk)
    assert "In the archive" in page and "Restore from the archive" in page


def test_a_specialist_cannot_change_a_subject(org, branch, client):
    subject = Subject.objects.for_org(org).create(organization=org, name="Фортепіано")
    specialist = make_staff(org, User.Role.SPECIALIST, username="spec-17", branches=[branch])
    client.force_login(specialist)
    r = client.post(f"/catalog/subjects/{subject.pk}/", {"action": "archive"})
    assert r.status_code in (302, 403)
    subject.refresh_from_db()
    assert subject.is_active


@pytest.mark.parametrize(
    ("language", "placeholder"),
    [("en", "Find a client in the list"), ("uk", "Знайти клієнта у списку")],
)
def test_the_group_members_list_has_a_filter_box(org, owner, staff_client, language, placeholder):
    make_client(org, "Шевчук Марія")
    page = staff_page(staff_client, owner, language, "catalog:group_new")
    before_list = page.split('data-testid="group-members"', 1)[0]
    assert 'data-testid="group-members-filter"' in before_list
    assert f'placeholder="{placeholder}"' in before_list
    assert 'getElementById("members-filter")' in page  # inline script, no CDN
