from io import StringIO

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.api_client import ApiClient
from tests.factories import PASSWORD, make_staff
from zapys.accounts.models import ApiKey, User
from zapys.accounts.services import apikey_create, apikey_revoke
from zapys.core.audit import Actor
from zapys.core.models import AuditLog


def test_login_with_the_right_password_opens_the_dashboard(client, owner):
    response = client.post("/login/", {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2_in_production_settings(owner):

    assert Argon2PasswordHasher().verify(
        PASSWORD, Argon2PasswordHasher().encode(PASSWORD, "saltsaltsalt")
    )
    assert not make_password(PASSWORD).startswith(PASSWORD)
    assert not owner.password.startswith(PASSWORD)


def test_password_change(client, owner):
    client.force_login(owner)
    response = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "new-Secret-9876",
            "new_password2": "new-Secret-9876",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("new-Secret-9876")


def test_api_requires_a_valid_key(api, owner):
    assert ApiClient(None).get("/branches").status == 401
    assert ApiClient("zk_deadbeef_wrong").get("/branches").status == 401
    no_key = ApiClient(None).get("/branches")
    assert no_key.body["detail"].startswith("Authentication required")
    assert api.get("/branches").status == 200


def test_api_key_is_stored_hashed_and_shown_once(owner):
    key, plain = apikey_create(user=owner, actor=Actor.staff(owner))
    assert plain.startswith("zk_") and plain not in key.key_hash
    assert ApiKey.objects.get(pk=key.pk).key_hash != plain
    assert AuditLog.objects.filter(action="apikey.create", object_id=str(key.pk)).exists()


def test_revoked_key_stops_working_and_last_use_is_recorded(owner):
    key, plain = apikey_create(user=owner, actor=Actor.staff(owner))
    client = ApiClient(plain)
    assert client.get("/branches").status == 200
    key.refresh_from_db()
    assert key.last_used_at is not None and key.last_used_at <= timezone.now()
    apikey_revoke(key=key, actor=Actor.staff(owner))
    assert client.get("/branches").status == 401


def test_inactive_user_key_is_refused(owner):
    _key, plain = apikey_create(user=owner, actor=Actor.staff(owner))
    User.objects.filter(pk=owner.pk).update(is_active=False)
    assert ApiClient(plain).get("/branches").status == 401


def test_apikey_command_prints_the_key_alone_on_the_last_line(owner):
    out = StringIO()
    call_command("apikey", owner.username, stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("zk_") and " " not in last
    assert ApiClient(last).get("/branches").status == 200


def test_apikey_command_unknown_login(db):

    with pytest.raises(CommandError):
        call_command("apikey", "nobody")


def test_api_keys_page_creates_and_revokes(client, owner):
    client.force_login(owner)
    response = client.post("/account/api-keys/", {"name": "Zapier"})
    assert response.status_code == 200
    shown = response.context["new_key"]
    assert shown.startswith("zk_") and ApiClient(shown).get("/branches").status == 200
    key = ApiKey.objects.get(name="Zapier")
    client.post(f"/account/api-keys/{key.pk}/revoke/")
    assert ApiClient(shown).get("/branches").status == 401


def test_someone_elses_key_cannot_be_revoked(client, org, owner):
    other = make_staff(org, User.Role.ADMINISTRATOR)
    key, _ = apikey_create(user=other, actor=Actor.staff(other))
    client.force_login(owner)
    assert client.post(f"/account/api-keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
