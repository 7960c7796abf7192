from tests.factories import make_branch, make_staff
from zapys.accounts.models import Organization, User
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope


def _form(org, **changes):
    data = {
        f: getattr(org, f)
        for f in (
            "name",
            "business_kind",
            "language",
            "time_zone",
            "currency",
            "legal_name",
            "tax_id",
            "iban",
            "bank_name",
            "address",
            "phone",
            "email",
            "offer_url",
        )
    }
    data.update(changes)
    return data


def test_owner_changes_settings_and_it_is_audited(client, org, owner):
    client.force_login(owner)
    response = client.post("/settings/organization/", _form(org, name="Salon Prime", iban="UA00"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Salon Prime"
    row = AuditLog.objects.get(action="organization.update")
    assert row.changes["name"] == ["Salon A", "Salon Prime"]
    assert row.actor_user == owner
    # ...and the owner sees it in the audit log page
    page = client.get("/audit/")
    assert "organization.update" in page.content.decode()


def test_invalid_settings_show_field_errors_and_change_nothing(client, org, owner):
    client.force_login(owner)
    response = client.post("/settings/organization/", _form(org, name="", time_zone="Mars/Base"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "time_zone"}
    assert Organization.objects.get(pk=org.pk).name == "Salon A"
    assert not AuditLog.objects.filter(action="organization.update").exists()


def test_specialist_cannot_open_settings_or_audit(client, org):
    specialist = make_staff(org, User.Role.SPECIALIST)
    client.force_login(specialist)
    assert client.get("/settings/organization/").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.post("/settings/organization/", _form(org, name="Hacked")).status_code == 403
    assert Organization.objects.get(pk=org.pk).name == "Salon A"


def test_branch_switcher_only_accepts_accessible_branches(client, org, owner, other_org):

    second = make_branch(org, "Second")
    with org_scope(other_org):
        foreign = make_branch(other_org, "Foreign")
    client.force_login(owner)
    client.post("/branch/switch/", {"branch_id": second.pk, "next": "/"})
    assert client.session["branch_id"] == second.pk
    client.post("/branch/switch/", {"branch_id": foreign.pk, "next": "https://evil.example/"})
    assert client.session["branch_id"] == second.pk


def test_the_kind_of_business_is_saved_and_audited_in_words(client, org, owner):
    """The organization says what it is (core/vocabulary.py names things by it); the audit
    log says the change in words, not the stored code."""
    assert org.business_kind == "other"  # an organization never asked: the neutral words
    owner.language = "uk"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    response = client.post("/settings/organization/", _form(org, business_kind="clinic"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.business_kind == "clinic"
    row = AuditLog.objects.get(action="organization.update")
    assert row.changes["business_kind"] == ["other", "clinic"]
    page = client.get("/audit/").content.decode()
    assert "Клініка або медичний кабінет" in page
    assert "Вид діяльності" in page


def test_the_kind_hint_names_each_kinds_own_words(client, org, owner):
    """The hint under "kind of business" is read from core/vocabulary.py: it named
    «Кабінет» and «Аудиторія», words no page showed in those forms; now each kind lists
    the words its pages use, in the page's language."""
    client.force_login(owner)
    for language, expected in (
        ("uk", ("Салон краси або барбершоп: Майстер, Напрями, Кабінети", "Тренер", "Зали")),
        ("en", ("Beauty salon or barbershop: Specialist, Areas, Rooms", "Instructor")),
    ):
        owner.language = language
        owner.save(update_fields=["language"])
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        page = client.get("/settings/organization/").content.decode()
        for words in expected:
            assert words in page
