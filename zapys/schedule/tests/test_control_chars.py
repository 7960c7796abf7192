"""Control characters in what people type into the schedule: the public online booking's
name (anyone can post it), visit and lesson comments, status names, working-hours notes.
The services strip them, so a stranger cannot plant a name that breaks PostgreSQL (NUL) or
every XLSX export of the organization (vertical tab, escape)."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine

from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist, make_visit
from zapys.catalog.services import group_create
from zapys.clients.models import Client
from zapys.core.models import AuditLog
from zapys.schedule import services
from zapys.schedule.models import HoursException, OnlineBookingAttempt, Visit, VisitStatus

NOW = "2030-03-04T06:00:00+00:00"  # Monday 08:00 in Kyiv


@pytest.fixture
def online(org, branch, actor):
    spec = make_specialist(org, branch, hours=[(0, time(9), time(12))])
    svc = make_service(org, "Brows", duration_minutes=60, price=30000, branches=[branch])
    services.schedule_settings_update(
        organization=org, actor=actor, slot_step_minutes=60, online_min_lead_minutes=0
    )
    return spec, svc


def _book(client, org, svc, staff, name: str):
    slot = local(org, 2030, 3, 4, 10).isoformat()
    url = f"/book/{org.slug}/?service={svc.pk}&staff={staff}&date=2030-03-04&slot={slot}"
    body = {"first_name": name, "phone": "067 123 45 67", "consent": "on", "slot": slot}
    return client.post(url, body, REMOTE_ADDR="10.0.0.1")


@time_machine.travel(NOW, tick=False)
def test_public_booking_stores_a_clean_name(client, org, online):
    spec, svc = online
    response = _book(client, org, svc, spec.pk, "Ган\x0bна\x1b Ко\x7fваль")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Client.objects.get().name == "Ганна Коваль"
    assert Visit.objects.get().client.name == "Ганна Коваль"


@time_machine.travel(NOW, tick=False)
def test_public_booking_refuses_a_nul_with_an_error_and_stores_nothing(client, org, online):
    """Django's form field refuses NUL before the service: a readable error, nothing kept."""
    spec, svc = online
    audits = AuditLog.objects.count()
    response = _book(client, org, svc, spec.pk, "Ган\x00на")
    assert response.status_code == 200
    assert response.context["form"].errors["first_name"]
    assert not Client.objects.exists() and not Visit.objects.exists()
    assert not OnlineBookingAttempt.objects.exists() and AuditLog.objects.count() == audits


@time_machine.travel(NOW, tick=False)
def test_online_booking_service_strips_control_characters_from_the_name(org, online):
    spec, svc = online
    visit = services.online_booking_create(
        organization=org,
        service=svc,
        staff=spec,
        starts_at=local(org, 2030, 3, 4, 10),
        name="Ган\x00на\x0b Ко\x1bваль",
        phone="067 123 45 67",
        consent=True,
        ip="10.0.0.1",
    )
    assert Client.objects.values_list("name", flat=True).get(pk=visit.client_id) == "Ганна Коваль"


@time_machine.travel(NOW, tick=False)
def test_online_booking_name_of_control_characters_only_is_refused(org, online):
    spec, svc = online
    from zapys.core.exceptions import DomainError

    with pytest.raises(DomainError) as caught:
        services.online_booking_create(
            organization=org,
            service=svc,
            staff=spec,
            starts_at=local(org, 2030, 3, 4, 10),
            name="\x00\x0b\x1b",
            phone="067 123 45 67",
            consent=True,
            ip="10.0.0.1",
        )
    assert caught.value.errors[0]["field"] == "name"
    assert not Client.objects.exists() and not Visit.objects.exists()


def test_visit_comments_keep_line_breaks_and_lose_control_characters(
    org, spec, service, client_a, actor
):
    visit = make_visit(
        org,
        client=client_a,
        staff=spec,
        service=service,
        starts_at=local(org, 2030, 3, 4, 10),
        comment="ал\x00ергія\nна фарбу\x1b",
    )
    assert Visit.objects.get(pk=visit.pk).comment == "алергія\nна фарбу"
    services.visit_update(visit=visit, actor=actor, comment="по\x0bвтор\x00\nвізит")
    assert Visit.objects.get(pk=visit.pk).comment == "повтор\nвізит"
    audit = AuditLog.objects.filter(action="visit.update").latest("id")
    assert audit.changes["comment"] == ["алергія\nна фарбу", "повтор\nвізит"]


def test_lesson_comment_status_name_and_hours_note_are_cleaned(org, branch, spec, actor):
    members = [make_client(org, "Учень")]
    group = group_create(
        organization=org, name="Гру\x00па", actor=actor, member_ids=[m.pk for m in members]
    )
    lessons = services.lesson_create(
        organization=org,
        branch=branch,
        staff=spec,
        starts_at=local(org, 2030, 3, 4, 10),
        duration_minutes=60,
        group=group,
        comment="прине\x1bсти\nзошит",
        actor=actor,
    )
    assert Visit.objects.get(pk=lessons[0].pk).comment == "принести\nзошит"

    status = services.visit_status_create(organization=org, name="Пере\x00несено\x0b", actor=actor)
    assert VisitStatus.objects.get(pk=status.pk).name == "Перенесено"
    services.visit_status_update(status=status, actor=actor, name="Перене\x1bсено клієнтом")
    assert VisitStatus.objects.get(pk=status.pk).name == "Перенесено клієнтом"

    exception = services.hours_exception_create(
        staff=spec,
        branch=branch,
        on_date=date(2030, 3, 5),
        kind=HoursException.Kind.DAY_OFF,
        note="від\x00пустка\nдо п'ятниці",
        actor=actor,
    )
    assert HoursException.objects.get(pk=exception.pk).note == "відпустка до п'ятниці"
