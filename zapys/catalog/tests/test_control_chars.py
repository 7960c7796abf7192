"""Catalogue names (services, their categories, subjects, lesson types, rooms, groups) and
service descriptions lose control characters in the services: the service name is shown
on the public booking page and in exports, where a vertical tab broke the XLSX."""

from __future__ import annotations

import pytest

from zapys.catalog.models import Group, LessonType, Room, Service, Subject
from zapys.catalog.services import (
    group_create,
    lesson_type_create,
    room_create,
    service_create,
    service_update,
    subject_create,
)
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog


def test_service_name_category_and_description_are_cleaned(org, actor):
    service = service_create(
        organization=org,
        name="Стриж\x00ка\x0b жіноча",
        category="Воло\x1bсся",
        description="Миття\x00 та\nукладка\x1b",
        duration_minutes=60,
        price=50_000,
        actor=actor,
    )
    row = Service.objects.values("name", "category", "description").get(pk=service.pk)
    assert row == {
        "name": "Стрижка жіноча",
        "category": "Волосся",
        "description": "Миття та\nукладка",
    }
    service_update(service=service, actor=actor, name="Стриж\x1bка\x00", description="\x0bА")
    row = Service.objects.values("name", "description").get(pk=service.pk)
    assert row == {"name": "Стрижка", "description": "А"}


def test_a_service_name_of_control_characters_only_is_refused(org, actor):
    before = list(Service.objects.values()), AuditLog.objects.count()
    with pytest.raises(DomainError) as caught:
        service_create(organization=org, name="\x00\x0b", duration_minutes=60, price=0, actor=actor)
    assert caught.value.errors[0]["field"] == "name"
    assert (list(Service.objects.values()), AuditLog.objects.count()) == before


def test_other_catalogue_names_are_cleaned(org, branch, actor):
    subject = subject_create(organization=org, name="Англій\x00ська", actor=actor)
    lesson_type = lesson_type_create(organization=org, name="Гру\x1bпове", actor=actor)
    room = room_create(organization=org, branch=branch, name="Зал\x0b 2", capacity=8, actor=actor)
    group = group_create(organization=org, name="Ран\x00кова\nгрупа", actor=actor)
    assert Subject.objects.get(pk=subject.pk).name == "Англійська"
    assert LessonType.objects.get(pk=lesson_type.pk).name == "Групове"
    assert Room.objects.get(pk=room.pk).name == "Зал 2"
    assert Group.objects.get(pk=group.pk).name == "Ранкова група"
