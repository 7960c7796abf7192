"""A client's online booking tells the staff (issue 17): one notification naming the client,
the service, the day and time in words and the specialist, with a link to the visit, read in
each reader's language. A visit staff create tells nobody; another organization sees none."""

from __future__ import annotations

from datetime import time

import pytest
import time_machine
from django.utils import translation

from tests.factories import make_branch, make_staff
from tests.factories_clients import make_client
from tests.factories_schedule import local, make_service, make_specialist
from zapys.accounts.models import User
from zapys.core.tenancy import org_scope
from zapys.messaging.models import StaffNotification
from zapys.messaging.schedule_hooks import online_booking_staff_notify
from zapys.messaging.selectors import notifications_for
from zapys.schedule import services
from zapys.schedule.models import Visit

NOW = "2030-03-04T06:00:00+00:00"  # Monday 08:00 in Kyiv

pytestmark = pytest.mark.usefixtures("owner")


@pytest.fixture
def setup(org, branch, actor):
    spec = make_specialist(
        org, branch, first_name="Ірина", last_name="Бондар", hours=[(0, time(9), time(12))]
    )
    svc = make_service(org, "Стрижка жіноча", duration_minutes=60, price=30000, branches=[branch])
    services.schedule_settings_update(
        organization=org, actor=actor, slot_step_minutes=60, online_min_lead_minutes=0
    )
    return spec, svc


def _book_online(client, org, svc, spec):
    """The public page's last step, as a client fills it in."""
    slot = local(org, 2030, 3, 4, 10).isoformat()
    url = f"/book/{org.slug}/?service={svc.pk}&staff={spec.pk}&date=2030-03-04&slot={slot}"
    body = {
        "last_name": "Петренко",
        "first_name": "Анна",
        "phone": "067 123 45 67",
        "consent": "on",
        "slot": slot,
    }
    return client.post(url, body, REMOTE_ADDR="10.0.0.1")


@time_machine.travel(NOW, tick=False)
def test_an_online_booking_tells_the_staff_who_what_when_and_with_whom(
    client, org, setup, django_capture_on_commit_callbacks
):
    spec, svc = setup
    with django_capture_on_commit_callbacks(execute=True):
        response = _book_online(client, org, svc, spec)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit = Visit.objects.get()
    note = StaffNotification.objects.get()  # exactly one
    assert (note.related_type, note.related_id) == ("schedule.visit", str(visit.pk))
    assert note.url == f"/visits/{visit.pk}/"
    assert note.recipient is None  # the team's
    with translation.override("uk"):
        assert note.shown_title == "Новий онлайн-запис: Петренко Анна"
        assert note.shown_body == "Стрижка жіноча, 4 березня о 10:00. Спеціаліст: Ірина Бондар."
    with translation.override("en"):
        assert note.shown_title == "New online booking: Петренко Анна"
        assert note.shown_body == "Стрижка жіноча on 4 March at 10:00. Specialist: Ірина Бондар."


@time_machine.travel(NOW, tick=False)
def test_the_notification_opens_the_visit_from_the_bell(
    client, org, owner, setup, django_capture_on_commit_callbacks
):
    spec, svc = setup
    with django_capture_on_commit_callbacks(execute=True):
        _book_online(client, org, svc, spec)
    visit = Visit.objects.get()
    client.force_login(owner)
    for language, words in (
        ("uk", "Стрижка жіноча, 4 березня о 10:00. Спеціаліст: Ірина Бондар."),
        ("en", "Стрижка жіноча on 4 March at 10:00. Specialist: Ірина Бондар."),
    ):
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = client.get("/notifications/").content.decode()
        assert words in page
    note = StaffNotification.objects.get()
    opened = client.post(f"/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened.url == f"/visits/{visit.pk}/"


@time_machine.travel(NOW, tick=False)
def test_the_hook_run_twice_tells_the_staff_once(
    client, org, setup, django_capture_on_commit_callbacks
):
    """The demo tells the staff inside its transaction and the hook runs again on commit."""
    spec, svc = setup
    with django_capture_on_commit_callbacks(execute=True):
        _book_online(client, org, svc, spec)
    visit = Visit.objects.get()
    first = StaffNotification.objects.get()
    online_booking_staff_notify(visit)
    assert list(StaffNotification.objects.all()) == [first]


@time_machine.travel(NOW, tick=False)
def test_a_visit_staff_create_tells_nobody(
    org, branch, actor, setup, django_capture_on_commit_callbacks
):
    spec, svc = setup
    with django_capture_on_commit_callbacks(execute=True):
        visit = services.visit_create(
            organization=org,
            client=make_client(org, "Koval Olena"),
            staff=spec,
            service=svc,
            starts_at=local(org, 2030, 3, 4, 10),
            branch=branch,
            actor=actor,
        )
    assert visit.source != Visit.Source.ONLINE
    assert not StaffNotification.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_another_organization_sees_none(
    client, org, other_org, setup, django_capture_on_commit_callbacks
):
    spec, svc = setup
    with org_scope(other_org):
        other_owner = make_staff(
            other_org, User.Role.OWNER, username="owner-b", branches=[make_branch(other_org)]
        )
    with django_capture_on_commit_callbacks(execute=True):
        _book_online(client, org, svc, spec)
    assert StaffNotification.objects.count() == 1
    with org_scope(other_org):
        assert not notifications_for(organization=other_org, user=other_owner).exists()
        assert not StaffNotification.objects.exists()
    client.force_login(other_owner)
    page = client.get("/notifications/").content.decode()
    assert "Петренко Анна" not in page
