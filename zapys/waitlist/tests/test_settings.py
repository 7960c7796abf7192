"""The organization's offer length: shown on the list, changed on its page (owners and
administrators), bad input refused on the field with nothing changed."""

from __future__ import annotations

from datetime import time

from zapys.core.models import AuditLog
from zapys.waitlist import services
from zapys.waitlist.models import WaitlistSettings


def test_the_list_shows_the_offer_length_and_the_page_changes_it(staff_client, org):
    text = staff_client.get("/waitlist/").content.decode()
    shown = text.split('data-testid="offer-minutes">')[1][:400]
    assert "15" in shown and 'href="/waitlist/settings/"' in shown
    page = staff_client.get("/waitlist/settings/")
    assert page.status_code == 200 and 'value="15"' in page.content.decode()

    response = staff_client.post(
        "/waitlist/settings/", {"offer_minutes": "30", "quiet_from": "00:00", "quiet_to": "00:00"}
    )
    assert response.status_code == 302
    assert services.waitlist_settings_get(org).offer_minutes == 30
    audit = AuditLog.objects.get(action="waitlist.settings")
    assert audit.changes == {"offer_minutes": [15, 30]}  # the quiet hours were as posted
    shown = staff_client.get("/waitlist/").content.decode().split('data-testid="offer-minutes">')[1]
    assert "30" in shown[:400]


def test_bad_offer_lengths_are_field_errors_and_change_nothing(staff_client, org):
    services.waitlist_settings_get(org)
    for bad in ("4", "1441", "abc", "", "2.5"):
        response = staff_client.post(
            "/waitlist/settings/",
            {"offer_minutes": bad, "quiet_from": "21:00", "quiet_to": "08:00"},
        )
        assert response.status_code == 400, bad
        assert response.context["form"].errors.get("offer_minutes"), bad
    assert list(WaitlistSettings.objects.values_list("offer_minutes", flat=True)) == [15]
    assert not AuditLog.objects.filter(action="waitlist.settings").exists()


def test_a_specialist_cannot_change_the_settings(client, org, branch):
    from tests.factories_schedule import make_specialist

    specialist = make_specialist(org, branch, first_name="Solo", last_name="Spec")
    client.force_login(specialist)
    assert client.post("/waitlist/settings/", {"offer_minutes": "60"}).status_code == 403
    assert services.waitlist_settings_get(org).offer_minutes == 15


def test_the_quiet_hours_are_changed_on_the_page_and_audited_as_times(staff_client, org):
    services.waitlist_settings_get(org)
    WaitlistSettings.objects.update(quiet_from=time(21), quiet_to=time(8))
    page = staff_client.get("/waitlist/settings/").content.decode()
    assert 'value="21:00"' in page and 'value="08:00"' in page
    response = staff_client.post(
        "/waitlist/settings/", {"offer_minutes": "15", "quiet_from": "22:00", "quiet_to": "09:30"}
    )
    assert response.status_code == 302
    row = services.waitlist_settings_get(org)
    assert (row.quiet_from, row.quiet_to) == (time(22), time(9, 30))
    audit = AuditLog.objects.get(action="waitlist.settings")
    assert audit.changes == {"quiet_from": ["21:00", "22:00"], "quiet_to": ["08:00", "09:30"]}
    shown = staff_client.get("/waitlist/").content.decode().split('data-testid="quiet-hours">')[1]
    assert "22:00–09:30" in shown[:200]


def test_a_bad_quiet_hour_is_a_field_error_and_changes_nothing(staff_client, org):
    services.waitlist_settings_get(org)
    WaitlistSettings.objects.update(quiet_from=time(21), quiet_to=time(8))
    response = staff_client.post(
        "/waitlist/settings/", {"offer_minutes": "20", "quiet_from": "25:00", "quiet_to": ""}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors.get("quiet_from") and errors.get("quiet_to")
    row = services.waitlist_settings_get(org)
    assert (row.offer_minutes, row.quiet_from, row.quiet_to) == (15, time(21), time(8))
    assert not AuditLog.objects.filter(action="waitlist.settings").exists()
