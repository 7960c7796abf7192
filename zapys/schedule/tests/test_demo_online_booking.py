"""The demo's "New online booking" notification is a real one (issue 17): a client booked on
the public page, and the staff were told who, what, when and with whom, with the visit's link
(it used to be a fake with none of these)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from zapys.accounts.models import Organization
from zapys.core.tenancy import org_scope, organization_zone, unscoped
from zapys.messaging.models import StaffNotification
from zapys.schedule.models import Visit

pytestmark = pytest.mark.demo


@pytest.mark.django_db
def test_the_demos_online_booking_tells_the_staff(django_capture_on_commit_callbacks):
    # the commit runs the schedule's hook again: it must not tell the staff twice
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=StringIO())
    with unscoped():
        org = Organization.objects.get(slug="demo")
    with org_scope(org), timezone.override(organization_zone(org)):
        notes = StaffNotification.objects.filter(title_text__msgid="New online booking: %(client)s")
        note = notes.get()  # exactly one
        assert note.related_type == "schedule.visit"
        visit = Visit.objects.get(pk=note.related_id)
        assert visit.source == Visit.Source.ONLINE
        assert note.url == f"/visits/{visit.pk}/"
        local = timezone.localtime(visit.starts_at)
        assert visit.client is not None
        with translation.override("uk"):
            assert note.shown_title == f"Новий онлайн-запис: {visit.client.name}"
            assert f"{local.day} " in note.shown_body and local.strftime("%H:%M") in note.shown_body
            assert str(visit.staff) in note.shown_body and visit.title in note.shown_body
        with translation.override("en"):
            assert note.shown_title == f"New online booking: {visit.client.name}"
        assert not StaffNotification.objects.filter(title="New online booking").exists()
        assert not StaffNotification.objects.filter(title="Нове онлайн-бронювання").exists()
