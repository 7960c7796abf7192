"""Who performs a service (`Service.specialists`): the form's checkboxes in Ukrainian order,
the services list («Виконують: …» / «Усі майстри»), the API's `specialist_ids`, and the
audit. None chosen: anyone in the service's branches, as every service was before."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_branch, make_org, make_staff
from tests.factories_schedule import SYSTEM, make_service, make_specialist
from tests.pages import staff_page
from zapys.accounts.models import User
from zapys.catalog.forms import ServiceForm
from zapys.catalog.models import Service
from zapys.catalog.services import service_update
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope

pytestmark = pytest.mark.django_db


def _salon(org):
    org.business_kind = "salon"
    org.save(update_fields=["business_kind"])


def test_the_form_offers_the_staff_in_ukrainian_order(org, branch):
    # code-point order would put «Ірина» after «Яна» (І is outside the basic block)
    for first in ("Яна", "Ірина", "Богдан"):
        make_specialist(org, branch, first_name=first, last_name="Тест")
    gone = make_specialist(org, branch, first_name="Архівна", last_name="Тест")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    form = ServiceForm(organization=org)
    names = [label for _pk, label in form.fields["specialists"].choices]
    staff_names = [n for n in names if n.endswith("Тест")]
    assert staff_names == ["Богдан Тест", "Ірина Тест", "Яна Тест"]
    # a service that has an archived specialist keeps them among the choices
    kept = ServiceForm(organization=org, initial={"specialists": [gone.pk]})
    assert gone.pk in [pk for pk, _label in kept.fields["specialists"].choices]


def test_the_form_saves_who_performs_it_and_the_audit_says_so(org, owner, branch, staff_client):
    maria = make_specialist(org, branch, first_name="Марія", last_name="Шевченко")
    iryna = make_specialist(org, branch, first_name="Ірина", last_name="Бондар")
    response = staff_client.post(
        reverse("catalog:service_new"),
        {
            "name": "Стрижка жіноча",
            "duration_minutes": 60,
            "price": "600",
            "branches": [branch.pk],
            "specialists": [maria.pk, iryna.pk],
            "online_booking": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Стрижка жіноча")
    assert sorted(service.specialists.values_list("pk", flat=True)) == sorted([maria.pk, iryna.pk])
    # the edit page has them ticked; unticking all means "anyone" again
    page = staff_client.get(reverse("catalog:service_edit", args=[service.pk])).content.decode()
    ticked = {
        int(pk)
        for pk in re.findall(
            r'<input type="checkbox" name="specialists" value="(\d+)"[^>]*checked', page
        )
    }
    assert ticked == {maria.pk, iryna.pk}
    service_update(service=service, actor=SYSTEM, specialist_ids=[])
    assert not service.specialists.exists()
    changes = AuditLog.objects.filter(action="service.update").latest("id").changes
    assert changes["specialist_ids"] == [sorted([iryna.pk, maria.pk]), []]


def test_someone_of_another_organization_is_refused_and_nothing_changes(org, branch):
    service = make_service(org, "Манікюр", branches=[branch])
    mine = make_specialist(org, branch)
    service_update(service=service, actor=SYSTEM, specialist_ids=[mine.pk])
    other = make_org("Other")
    with org_scope(other):
        stranger = make_staff(other, User.Role.SPECIALIST)
    with pytest.raises(DomainError) as refused:
        service_update(service=service, actor=SYSTEM, specialist_ids=[mine.pk, stranger.pk])
    assert refused.value.errors[0]["field"] == "specialist_ids"
    assert list(service.specialists.values_list("pk", flat=True)) == [mine.pk]


@pytest.mark.parametrize(
    ("language", "performed", "one", "anyone"),
    [
        ("uk", "Виконують: ", "Виконує: ", "Усі майстри"),
        ("en", "Performed by: ", "Performed by: ", "All specialists"),
    ],
)
def test_the_list_says_who_performs_each_service(
    org, owner, branch, staff_client, language, performed, one, anyone
):
    _salon(org)
    maria = make_specialist(org, branch, first_name="Марія", last_name="Шевченко")
    iryna = make_specialist(org, branch, first_name="Ірина", last_name="Бондар")
    make_service(org, "Стрижка жіноча", branches=[branch], specialist_ids=[maria.pk, iryna.pk])
    make_service(org, "Укладка", branches=[branch], duration_minutes=90)
    make_service(org, "Фарбування", branches=[branch], specialist_ids=[maria.pk])
    page = staff_page(staff_client, owner, language, "catalog:services")
    cells = [
        part.split(">", 1)[1].split("</div>", 1)[0]
        for part in page.split('data-testid="service-specialists"')[1:]
    ]
    # Ukrainian order: Ірина before Марія
    # one performer agrees in number: «Виконує: Марія Шевченко»
    assert cells == [f"{performed}Ірина Бондар, Марія Шевченко", anyone, f"{one}Марія Шевченко"]
    durations = [
        part.split(">", 1)[1].split("</td>", 1)[0]
        for part in page.split('data-testid="service-duration"')[1:]
    ]
    assert durations == (
        ["1 год", "1 год 30 хв", "1 год"] if language == "uk" else ["1 h", "1 h 30 min", "1 h"]
    )


def test_the_services_list_costs_the_same_queries_for_more_services(
    org, owner, branch, staff_client
):
    staff_page(staff_client, owner, "uk", "catalog:services")  # the language is saved

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(reverse("catalog:services")).status_code == 200
        return len(queries)

    spec = make_specialist(org, branch)
    make_service(org, "One", branches=[branch], specialist_ids=[spec.pk])
    one = count()
    second = make_branch(org)
    for i in range(6):
        extra = make_specialist(org, second)
        make_service(
            org, f"More {i}", branches=[branch, second], specialist_ids=[spec.pk, extra.pk]
        )
    assert count() == one


def test_the_api_reads_and_writes_specialist_ids(org, branch, api):
    maria = make_specialist(org, branch)
    iryna = make_specialist(org, branch)
    r = api.post(
        "/services",
        {"name": "Манікюр", "duration_minutes": 60, "price": 45000, "specialist_ids": [maria.pk]},
    )
    assert r.status == 201, r.body
    assert r.body["specialist_ids"] == [maria.pk]
    sid = r.body["id"]
    r = api.patch(f"/services/{sid}", {"specialist_ids": [iryna.pk, maria.pk]})
    assert r.body["specialist_ids"] == sorted([iryna.pk, maria.pk])
    r = api.patch(f"/services/{sid}", {"price": 50000})  # left out: unchanged
    assert r.body["specialist_ids"] == sorted([iryna.pk, maria.pk])
    r = api.post("/services", {"name": "Педикюр", "duration_minutes": 60, "price": 1})
    assert r.body["specialist_ids"] == []  # anyone in its branches
    assert api.get(f"/services/{sid}").body["specialist_ids"] == sorted([iryna.pk, maria.pk])
    assert [i["specialist_ids"] for i in api.get("/services").body["items"]] == [
        sorted([iryna.pk, maria.pk]),
        [],
    ]


def test_the_api_refuses_someone_of_another_organization(org, branch, api):
    mine = make_specialist(org, branch)
    other = make_org("Other")
    with org_scope(other):
        stranger = make_staff(other, User.Role.SPECIALIST)
    r = api.post(
        "/services",
        {"name": "X", "duration_minutes": 30, "price": 1, "specialist_ids": [stranger.pk]},
    )
    assert r.status == 400 and r.body["errors"][0]["field"] == "specialist_ids"
    assert not Service.objects.exists()
    sid = api.post(
        "/services", {"name": "Y", "duration_minutes": 30, "price": 1, "specialist_ids": [mine.pk]}
    ).body["id"]
    r = api.patch(f"/services/{sid}", {"specialist_ids": [mine.pk, stranger.pk]})
    assert r.status == 400
    assert list(Service.objects.get(pk=sid).specialists.values_list("pk", flat=True)) == [mine.pk]
