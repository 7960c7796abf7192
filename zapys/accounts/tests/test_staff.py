from tests.factories import make_branch, make_staff
from zapys.accounts.models import User
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope


def test_owner_adds_a_specialist_with_branches_and_rate(client, org, owner, branch):
    second = make_branch(org, "Second")
    client.force_login(owner)
    response = client.post(
        "/settings/staff/new/",
        {
            "first_name": "Iryna", "last_name": "Bondar", "username": "iryna", "role": "specialist",
            "branches": [branch.pk, second.pk], "hourly_rate": "450,50", "password": "Strong-pass-123",
            "is_active": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    user = User.objects.get(username="iryna")
    assert user.organization == org and user.role == "specialist"
    assert user.hourly_rate == 45050
    assert set(user.branches.all()) == {branch, second}
    assert user.check_password("Strong-pass-123")
    assert AuditLog.objects.filter(action="staff.create", object_id=str(user.pk)).exists()
    # Editing her shows the rate back as typed (reading it back was a 500), in the page's
    # language: a Ukrainian page writes the comma.
    page = client.get(f"/settings/staff/{user.pk}/")
    assert page.status_code == 200
    assert page.context["form"].initial["hourly_rate"] == "450,50"


def test_bad_staff_input_shows_field_errors_and_creates_nothing(client, org, owner):
    client.force_login(owner)
    count = User.objects.count()
    response = client.post(
        "/settings/staff/new/",
        {
            "first_name": "",
            "username": owner.username,
            "role": "boss",
            "hourly_rate": "-5",
            "password": "1",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"first_name", "role", "hourly_rate", "password"} <= set(errors)
    assert User.objects.count() == count


def test_taken_login_is_a_field_error(client, org, owner):
    client.force_login(owner)
    response = client.post(
        "/settings/staff/new/",
        {
            "first_name": "X",
            "username": owner.username,
            "role": "specialist",
            "password": "Strong-pass-123",
        },
    )
    assert "username" in response.context["form"].errors


def test_owner_cannot_demote_themself(client, org, owner):
    client.force_login(owner)
    response = client.post(
        f"/settings/staff/{owner.pk}/",
        {"first_name": "A", "username": owner.username, "role": "specialist", "is_active": "on"},
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_administrator_sees_staff_but_cannot_edit(client, org, owner):
    admin = make_staff(org, User.Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get("/settings/staff/").status_code == 200
    assert client.get("/settings/staff/new/").status_code == 403
    assert client.post(f"/settings/staff/{owner.pk}/", {"role": "specialist"}).status_code == 403


def test_foreign_staff_member_is_404(client, org, owner, other_org):

    with org_scope(other_org):
        foreign = make_staff(other_org, User.Role.SPECIALIST)
    client.force_login(owner)
    assert client.get(f"/settings/staff/{foreign.pk}/").status_code == 404


def test_owner_edits_a_branch(client, org, owner, branch):
    client.force_login(owner)
    response = client.post(
        f"/settings/branches/{branch.pk}/",
        {"name": "Podil", "address": "Sahaidachnoho 20", "is_active": "on"},
    )
    assert response.status_code == 302
    branch.refresh_from_db()
    assert branch.name == "Podil"
    assert "Podil" in client.get("/settings/staff/").content.decode()


def test_the_staff_cards_checkbox_says_whose_activity_and_a_branch_badge_agrees(
    staff_client, org, owner
):
    """A bare «Активний» next to a woman's name read wrong (issue 17): the checkbox is the
    account's («Обліковий запис активний»); an inactive branch (a «філія») is «неактивна»."""
    from tests.pages import staff_page

    with org_scope(org):
        closed = make_branch(org, "Closed")
    type(closed).objects.filter(pk=closed.pk).update(is_active=False)
    for language, words, badge in (
        ("uk", "Обліковий запис активний", ">неактивна</span>"),
        ("en", "Account active", ">inactive</span>"),
    ):
        page = staff_page(staff_client, owner, language, "accounts:staff_edit", owner.pk)
        assert f">{words}</label>" in page
        assert badge in staff_page(staff_client, owner, language, "accounts:staff")
