"""Staff notifications after the sixth tour: their time reads like the messages list's,
«5 грудня о 09:33» (was «05.12.2026 09:33»), and the online-booking notification is
«Новий онлайн-запис» (a visit booked is a «запис», not a «бронювання»)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from zapys.messaging.models import StaffNotification

pytestmark = pytest.mark.django_db

KYIV = ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    ("language", "shown"), [("uk", "3 березня 2025 о 09:33"), ("en", "3 March 2025 at 09:33")]
)
def test_a_notification_time_reads_in_words(org, owner, staff_client, language, shown):
    notice = StaffNotification.objects.create(organization=org, title="Платіж не пройшов")
    StaffNotification.objects.filter(pk=notice.pk).update(
        created_at=datetime(2025, 3, 3, 9, 33, 17, tzinfo=KYIV)
    )
    owner.language = language
    owner.save(update_fields=["language"])
    page = staff_client.get(reverse("messaging:notifications")).content.decode()
    assert f'<span data-testid="notification-time">{shown}</span>' in page
    assert "03.03.2025" not in page and "09:33:17" not in page


def test_the_online_booking_notification_is_a_new_online_visit():
    with translation.override("uk"):
        assert translation.gettext("New online booking") == "Новий онлайн-запис"
        assert translation.gettext("New online booking: %(client)s") == (
            "Новий онлайн-запис: %(client)s"
        )
    with translation.override("en"):
        assert translation.gettext("New online booking") == "New online booking"


def test_the_staff_bots_say_visits_not_bookings():
    text = "Get staff notifications (payments, bookings, problems) in your own Telegram."
    with translation.override("uk"):
        uk = translation.gettext(text)
    assert "записи" in uk and "бронюван" not in uk
