"""Which services a staff member performs, ticked on their own page (issue 17, fifth tour:
only each service's form could say it): the same `Service.specialists`, changed through
`service_update` (audited); a service open to anyone says so; the part loads into the
staff member's page, and a plain GET of its address goes to that page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_staff
from tests.factories_schedule import make_service, make_specialist
from zapys.catalog.models import Service
from zapys.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(org, branch):
    iryna = make_specialist(org, branch, first_name="Ірина", last_name="Бондар")
    taras = make_specialist(org, branch, first_name="Тарас", last_name="Мельник")
    nails = make_service(org, "Манікюр", branches=[branch])
    nails.specialists.set([iryna])
    beard = make_service(org, "Оформлення бороди", branches=[branch])
    beard.specialists.set([taras])
    open_to_all = make_service(org, "Консультація", branches=[branch])
    return iryna, taras, nails, beard, open_to_all


def _url(staff) -> str:
    return reverse("catalog:staff_services", kwargs={"staff_id": staff.pk})


def test_the_part_ticks_what_they_perform(staff_client, owner, team, django_assert_max_num_queries):
    iryna, _taras, nails, beard, _open_to_all = team
    owner.language = "uk"
    owner.save(update_fields=["language"])
    with django_assert_max_num_queries(12):
        html = staff_client.get(_url(iryna), HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{nails.pk}" id="staff-service-{nails.pk}" checked' in html
    assert f'value="{beard.pk}" id="staff-service-{beard.pk}">' in html
    assert 'Консультація <span class="small text-muted">· будь-хто з її філій' in html
    assert "Послуги, які виконує" in html


def test_ticking_adds_them_and_unticking_removes_them(staff_client, team):
    iryna, taras, nails, beard, open_to_all = team
    before = AuditLog.objects.filter(action="service.update").count()
    response = staff_client.post(_url(iryna), {"services": [str(beard.pk)]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="staff-services-saved"' in response.content.decode()
    assert set(beard.specialists.all()) == {iryna, taras}  # added beside Тарас
    assert set(nails.specialists.all()) == set()  # unticked: anyone again
    assert set(open_to_all.specialists.all()) == set()  # untouched
    assert AuditLog.objects.filter(action="service.update").count() == before + 2


def test_nothing_changed_writes_nothing(staff_client, team):
    iryna, _taras, nails, _beard, _open = team
    before = AuditLog.objects.count()
    staff_client.post(_url(iryna), {"services": [str(nails.pk)]}, HTTP_HX_REQUEST="true")
    assert AuditLog.objects.count() == before
    assert list(nails.specialists.all()) == [iryna]


def test_a_plain_get_opens_the_staff_page_which_loads_the_part(staff_client, team):
    iryna = team[0]
    response = staff_client.get(_url(iryna))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff_edit", kwargs={"staff_id": iryna.pk})
    page = staff_client.get(response["Location"]).content.decode()
    assert f'hx-get="{_url(iryna)}"' in page


def test_an_administrator_may_not(client, org, branch, team):
    admin = make_staff(org, "administrator", username="admin-s", branches=[branch])
    client.force_login(admin)
    iryna, _taras, nails, beard, _open = team
    response = client.post(_url(iryna), {"services": [str(beard.pk)]}, HTTP_HX_REQUEST="true")
    assert response.status_code in (302, 403)
    assert list(Service.objects.get(pk=beard.pk).specialists.all()) == [team[1]]
    assert list(nails.specialists.all()) == [iryna]
