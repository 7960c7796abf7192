"""The SMS price is pre-filled in the page's language (issue 17): "1,50" in Ukrainian,
"1.50" in English, and what is shown saves back unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zapys.broadcasts.models import BroadcastSettings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "shown"), [("uk", "1,50"), ("en", "1.50")])
def test_the_sms_price_is_shown_in_the_language(staff_client, org, language, shown):
    BroadcastSettings.objects.create(organization=org, sms_price=150)
    url = reverse("broadcasts:settings")
    staff_client.cookies["django_language"] = language
    form = staff_client.get(url).context["form"]
    assert form.initial["sms_price"] == shown
    assert staff_client.post(url, {"sms_price": shown}).status_code == 302
    assert BroadcastSettings.objects.get().sms_price == 150
