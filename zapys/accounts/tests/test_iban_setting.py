"""The organization's IBAN: typed as the bank prints it (with spaces) or in one run, kept
compact, shown back in groups of four (core/iban.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import SYSTEM
from zapys.accounts.models import Organization
from zapys.accounts.services import organization_update
from zapys.core.models import AuditLog

from .test_settings import _form

pytestmark = pytest.mark.django_db

GROUPED = "UA21 3223 1300 0002 6007 2335 6600 1"
COMPACT = "UA213223130000026007233566001"


def test_an_iban_typed_with_spaces_is_kept_compact_and_shown_in_fours(client, org, owner):
    client.force_login(owner)
    url = reverse("accounts:settings")
    response = client.post(url, _form(org, iban="ua21 3223 1300 0002 6007 2335 6600 1"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.iban == COMPACT
    page = client.get(url).content.decode()
    assert f'value="{GROUPED}"' in page
    assert 'maxlength="42"' in page  # room for the spaces in the input


def test_saving_the_grouped_iban_unchanged_changes_nothing(client, org, owner):
    Organization.objects.filter(pk=org.pk).update(iban=COMPACT)
    org.refresh_from_db()
    client.force_login(owner)
    response = client.post(reverse("accounts:settings"), _form(org, iban=GROUPED))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.iban == COMPACT
    update = AuditLog.objects.filter(action="organization.update").first()
    assert update is None or "iban" not in update.changes


def test_an_iban_too_long_without_its_spaces_is_refused_and_nothing_changes(client, org, owner):
    client.force_login(owner)
    too_long = "UA21 " + "1234 " * 7 + "123"  # 35 characters without the spaces
    response = client.post(reverse("accounts:settings"), _form(org, iban=too_long))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"iban"}
    assert Organization.objects.get(pk=org.pk).iban == ""
    assert not AuditLog.objects.filter(action="organization.update").exists()


def test_the_service_keeps_it_compact_too(org):
    # the API writes through the same service
    organization_update(organization=org, actor=SYSTEM, iban=GROUPED)
    assert Organization.objects.get(pk=org.pk).iban == COMPACT
