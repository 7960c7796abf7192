"""The catalogue's forms as an administrator sees them (issue 17): a service's branches as
checkboxes and its price in the page's language; a group's form saves what it shows."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_branch, make_staff
from tests.factories_clients import make_client
from zapys.accounts.models import User
from zapys.catalog.models import LessonType, Subject
from zapys.catalog.services import group_create, group_update, service_create
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError, PermissionDenied
from zapys.core.models import AuditLog


def _page(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(("language", "price"), [("uk", "300,00"), ("en", "300.00")])
def test_a_service_shows_its_branches_as_checkboxes_and_its_price_in_the_language(
    staff_client, org, branch, actor, language, price
):
    make_branch(org, "Second")
    service = service_create(
        organization=org, name="Cut", duration_minutes=30, price=30000, actor=actor,
        branch_ids=[branch.pk],
    )  # fmt: skip
    for url in ("/services/new/", f"/services/{service.pk}/"):
        html = _page(staff_client, url, language)
        boxes = re.findall(
            r'<div class="form-check"><input type="checkbox" name="branches"[^>]*>', html
        )
        assert len(boxes) == 2, url
        assert not re.search(r'<div[^>]*class="form-check-input"', html)
    assert f'name="price" value="{price}"' in html
    assert "checked" in boxes[0] and "checked" not in boxes[1]


def test_the_english_price_shown_saves_back_unchanged(staff_client, org, branch, actor):
    service = service_create(
        organization=org, name="Cut", duration_minutes=30, price=30050, actor=actor
    )
    staff_client.cookies["django_language"] = "en"
    initial = staff_client.get(f"/services/{service.pk}/").context["form"].initial
    assert initial["price"] == "300.50"
    response = staff_client.post(
        f"/services/{service.pk}/",
        {"name": "Cut", "duration_minutes": "30", "price": initial["price"], "is_active": "on"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.price == 30050


@pytest.fixture
def group(org, actor):
    return group_create(organization=org, name="Salsa", capacity=5, actor=actor)


def test_the_group_page_saves_every_field_it_shows(staff_client, org, branch, owner, group):
    subject = Subject.objects.for_org(org).create(organization=org, name="Dance")
    lesson_type = LessonType.objects.for_org(org).create(organization=org, name="Class")
    member = make_client(org)
    response = staff_client.post(
        f"/catalog/groups/{group.pk}/",
        {
            "name": "Salsa advanced", "branch": branch.pk, "subject": subject.pk,
            "lesson_type": lesson_type.pk, "teacher": owner.pk, "capacity": "8",
            "members": [member.pk],
        },
    )  # fmt: skip
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, group.branch, group.subject, group.lesson_type, group.teacher) == (
        "Salsa advanced", branch, subject, lesson_type, owner,
    )  # fmt: skip
    assert group.capacity == 8 and list(group.members.all()) == [member]
    row = AuditLog.objects.get(action="group.update", object_id=str(group.pk))
    assert row.changes["name"] == ["Salsa", "Salsa advanced"]
    assert row.changes["capacity"] == [5, 8]
    assert row.changes["member_ids"] == [[], [member.pk]]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_groups_members_are_checkboxes_as_a_membership_plans_services(
    staff_client, org, actor, group, language
):
    # a <select multiple> needed Ctrl+click and a plain click dropped the other members
    olena, iryna = make_client(org, "Koval Olena"), make_client(org, "Shevchuk Iryna")
    group_update(group=group, name="Salsa", capacity=5, member_ids=[olena.pk], actor=actor)
    for url in ("/catalog/groups/new/", f"/catalog/groups/{group.pk}/"):
        html = _page(staff_client, url, language)
        assert '<select name="members"' not in html and "Ctrl" not in html
        members = html.split('data-testid="group-members"')[1].split("</fieldset>")[0]
        boxes = re.findall(
            r'<div class="form-check"><input type="checkbox" name="members"[^>]*>', members
        )
        assert len(boxes) == 2, url
    assert f'value="{olena.pk}"' in boxes[0] and "checked" in boxes[0]
    assert f'value="{iryna.pk}"' in boxes[1] and "checked" not in boxes[1]


def test_a_refused_group_change_changes_nothing(staff_client, org, group):
    members = [make_client(org) for _ in range(3)]
    response = staff_client.post(
        f"/catalog/groups/{group.pk}/",
        {"name": "Renamed", "capacity": "2", "members": [m.pk for m in members]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["members"]
    group.refresh_from_db()
    assert (group.name, group.capacity, group.members.count()) == ("Salsa", 5, 0)
    assert not AuditLog.objects.filter(action="group.update").exists()


def test_only_managers_update_groups_and_only_with_their_own_objects(org, other_org, branch, group):
    specialist = make_staff(org, User.Role.SPECIALIST, branches=[branch])
    with pytest.raises(PermissionDenied):
        group_update(group=group, name="X", actor=Actor.staff(specialist))
    foreign = make_branch(other_org, "Foreign")
    owner = make_staff(org, User.Role.OWNER, username="boss")
    with pytest.raises(DomainError):
        group_update(group=group, name="X", branch=foreign, actor=Actor.staff(owner))
    group.refresh_from_db()
    assert group.name == "Salsa" and group.branch is None


@pytest.mark.parametrize(("language", "cancel"), [("uk", "Скасувати"), ("en", "Cancel")])
def test_group_forms_offer_cancel(staff_client, group, language, cancel):
    for url in ("/catalog/groups/new/", f"/catalog/groups/{group.pk}/"):
        html = _page(staff_client, url, language)
        assert f'<a class="btn btn-link" href="/catalog/groups/">{cancel}</a>' in html
        assert "Only the members" not in html and "Тут змінюються лише" not in html


@pytest.mark.parametrize(("language", "label"), [("uk", "Групу змінено"), ("en", "Group changed")])
def test_the_audit_log_names_a_group_change(language, label):
    from django.utils import translation

    from zapys.core.audit_reading import audit_action_label

    with translation.override(language):
        assert audit_action_label("group.update") == label
