from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client as DjangoTestClient

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.core.tenancy import org_scope, unscoped
from zapys.ledger.models import FinanceArticle


def test_language_switch_changes_the_interface(client, owner):
    client.force_login(owner)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Dashboard" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    page = client.get("/").content.decode()
    assert "Головна" in page and "Dashboard" not in page


def test_login_page_in_both_languages(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Sign in" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "uk", "next": "/login/"})
    assert "Увійти" in client.get("/login/").content.decode()


@pytest.mark.demo
@pytest.mark.django_db
def test_demo_is_idempotent_and_prints_credentials():
    out = StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-2] == "login: owner" and lines[-1].startswith("password: ")
    with unscoped():
        org = Organization.objects.get(slug="demo")
        assert Organization.objects.filter(slug="demo").count() == 1
    with org_scope(org):
        assert Branch.objects.count() == 2
        roles = list(User.objects.values_list("role", flat=True))
        assert roles.count("owner") == 1
        assert roles.count("administrator") == 1
        # a hairdresser, a manicurist, a barber and the trainer of the studio's groups
        assert roles.count("specialist") == 4
        assert Service.objects.filter(price__gt=0, duration_minutes__gt=0).count() >= 8
        assert Client.objects.count() >= 45
        assert Client.objects.filter(tags__isnull=False).distinct().count() >= 20
        # stored texts are in the organization's language (Ukrainian), not the command's

        names = set(FinanceArticle.objects.values_list("name", flat=True))
        assert names and not names & {"Refunds", "Balance top-ups", "Membership sales"}
    owner = User.objects.get(username="owner")
    assert owner.check_password(lines[-1].removeprefix("password: "))


@pytest.mark.demo
@pytest.mark.django_db
def test_demo_reset_archives_the_old_demo_and_creates_a_fresh_one():
    out = StringIO()
    call_command("demo", stdout=out)
    with unscoped():
        first = Organization.objects.get(slug="demo")
    call_command("demo", "--reset", stdout=out)
    with unscoped():
        fresh = Organization.objects.get(slug="demo")
        first.refresh_from_db()
        assert fresh.pk != first.pk
        assert first.slug.startswith("demo-archived-")
        assert not User.objects.filter(organization=first, is_active=True).exists()
    assert User.objects.get(username="owner").organization_id == fresh.pk


def test_api_errors_are_english_by_default_and_follow_accept_language(api):
    body = api.post("/clients", {"name": "", "phone": "not a phone"}).body
    plain = " ".join([body["detail"], *[e["message"] for e in body["errors"]]])
    assert not any("\u0400" <= ch <= "\u04ff" for ch in plain), plain
    response = DjangoTestClient().post(
        "/api/v1/clients",
        data='{"name": "X", "phone": "not a phone"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}", "Accept-Language": "uk"},
    )
    assert any(
        "\u0400" <= ch <= "\u04ff"
        for ch in response.json()["detail"] + str(response.json()["errors"])
    )
