"""Tour 6, #31: the organization's phone is shown in its settings as every page shows a
phone («+380 44 123 45 67», it showed the stored «+380441234567»), accepted as typed any
way and kept as E.164 (the `tel:` links use it); a number that is none is a field error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zapys.accounts.models import Organization
from zapys.core.models import AuditLog

from .test_settings import _form

pytestmark = pytest.mark.django_db


def test_the_stored_phone_is_shown_grouped(client, org, owner):
    Organization.objects.filter(pk=org.pk).update(phone="+380441234567")
    client.force_login(owner)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert 'value="+380 44 123 45 67"' in page
    assert 'value="+380441234567"' not in page


@pytest.mark.parametrize("typed", ["044 234 56 78", "+38 (044) 234-56-78", "0442345678"])
def test_a_phone_typed_any_way_is_kept_as_e164(client, org, owner, typed):
    client.force_login(owner)
    url = reverse("accounts:settings")
    response = client.post(url, _form(org, phone=typed))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.phone == "+380442345678"
    assert 'value="+380 44 234 56 78"' in client.get(url).content.decode()


def test_saving_the_shown_phone_unchanged_changes_nothing(client, org, owner):
    Organization.objects.filter(pk=org.pk).update(phone="+380441234567")
    org.refresh_from_db()
    client.force_login(owner)
    response = client.post(reverse("accounts:settings"), _form(org, phone="+380 44 123 45 67"))
    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).phone == "+380441234567"
    update = AuditLog.objects.filter(action="organization.update").first()
    assert update is None or "phone" not in update.changes


def test_not_a_phone_is_a_field_error_and_nothing_changes(client, org, owner):
    Organization.objects.filter(pk=org.pk).update(phone="+380441234567")
    client.force_login(owner)
    owner.language = "uk"
    owner.save(update_fields=["language"])
    response = client.post(reverse("accounts:settings"), _form(org, phone="12ab"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"phone"}
    assert "Вкажіть правильний номер телефону" in response.content.decode()
    assert Organization.objects.get(pk=org.pk).phone == "+380441234567"
    assert not AuditLog.objects.filter(action="organization.update").exists()
