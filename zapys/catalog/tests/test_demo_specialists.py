"""The demo's services name who performs them (its trade's specialist, never the trainer),
so the public booking page offers sensible pairs: the hairdresser for a haircut, and in each
branch only what someone there performs.

One demo for the module, in a transaction rolled back at the end (it takes a while)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import reverse

from zapys.accounts.demo import TRAINER_LOGIN
from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.demo import SERVICES, service_fits
from zapys.catalog.models import Service
from zapys.core.demo import DEMO_SLUG
from zapys.core.tenancy import org_scope, unscoped


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Organization]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", verbosity=0)
        with unscoped():
            org = Organization.objects.get(slug=DEMO_SLUG)
        with org_scope(org):
            yield org
        transaction.set_rollback(True)


def test_each_service_is_performed_by_its_trades_specialist(demo, db):
    services = list(Service.objects.prefetch_related("specialists"))
    assert len(services) == len(SERVICES)
    staff = list(User.objects.filter(is_active=True))
    for service in services:
        performers = list(service.specialists.all())
        assert performers, service
        assert performers == [u for u in staff if service_fits(service, staff=u)], service
    trainer = User.objects.get(username=TRAINER_LOGIN)
    assert not trainer.services_performed.exists()


def _page_of(org: Organization, branch: Branch) -> str:
    return reverse("schedule:book_branch", args=[org.slug, branch.pk])


def test_the_public_page_offers_the_hairdresser_for_a_haircut(demo, db):
    centre, podil = Branch.objects.order_by("pk")
    browser = HttpClient()
    browser.cookies["django_language"] = "uk"
    haircut = Service.objects.get(name="Стрижка жіноча")
    response = browser.get(f"{_page_of(demo, centre)}?service={haircut.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    offered = [
        part.split(">", 1)[1].split("</a>", 1)[0]
        for part in page.split('data-testid="staff-option"')[1:]
    ]
    assert offered == ["Марія Шевченко"]
    assert "Ольга Ткачук" not in page and "Тарас" not in page
    # each branch lists what someone working there performs: no barber in the centre
    listed = {
        branch.name: browser.get(_page_of(demo, branch)).content.decode()
        for branch in (centre, podil)
    }
    assert "Оформлення бороди" not in listed["Центр"] and "Стрижка жіноча" in listed["Центр"]
    assert "Оформлення бороди" in listed["Поділ"] and "Стрижка жіноча" not in listed["Поділ"]
    assert "Манікюр класичний" in listed["Центр"] and "Манікюр класичний" in listed["Поділ"]
    assert "1 год 30 хв" in listed["Поділ"]  # the manicure with gel polish, in words
