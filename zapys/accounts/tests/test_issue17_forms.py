"""The staff and password forms as an administrator sees them (issue 17): the branches as a
list of checkboxes, a new member's role, the hourly rate in the page's language, the
change-password inputs styled like every other form."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_branch, make_staff
from zapys.accounts.models import User


def _page(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_new_member_starts_as_a_specialist_with_branches_as_checkboxes(
    client, org, owner, branch, language
):
    make_branch(org, "Second")
    client.force_login(owner)
    html = _page(client, "/settings/staff/new/", language)
    role = re.search(r'<select name="role".*?</select>', html, re.S)
    assert role is not None
    assert re.findall(r'<option value="(\w+)" selected>', role.group()) == ["specialist"]
    assert 'data-testid="choices-branches"' in html
    assert (
        len(re.findall(r'<div class="form-check"><input type="checkbox" name="branches"', html))
        == 2
    )
    assert not re.search(r'<div[^>]*class="form-check-input"', html)


@pytest.mark.parametrize(
    ("language", "rate", "hint"),
    [("uk", 'value="350,00"', "напр. 450,00"), ("en", 'value="350.00"', "e.g. 450.00")],
)
def test_the_hourly_rate_is_written_in_the_page_language(
    client, org, owner, branch, language, rate, hint
):
    member = make_staff(org, User.Role.SPECIALIST, username="rated", branches=[branch])
    member.hourly_rate = 35000
    member.save(update_fields=["hourly_rate"])
    client.force_login(owner)
    html = _page(client, f"/settings/staff/{member.pk}/", language)
    assert rate in html and hint in html
    assert "e.g. 450,00" not in html


def test_the_english_rate_shown_is_saved_back_unchanged(client, org, owner, branch):
    member = make_staff(org, User.Role.SPECIALIST, username="rated", branches=[branch])
    member.hourly_rate = 35000
    member.save(update_fields=["hourly_rate"])
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    form = client.get(f"/settings/staff/{member.pk}/").context["form"]
    data = {k: v for k, v in form.initial.items() if k != "branches"}
    response = client.post(f"/settings/staff/{member.pk}/", {**data, "branches": [branch.pk]})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.hourly_rate == 35000


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_change_password_inputs_are_styled(client, owner, language):
    client.force_login(owner)
    html = _page(client, "/account/password/", language)
    inputs = re.findall(r'<input type="password"[^>]*>', html)
    assert len(inputs) == 3
    assert all('class="form-control"' in tag for tag in inputs)


def test_the_password_rules_read_in_correct_ukrainian(client, owner):
    client.force_login(owner)
    html = _page(client, "/account/password/", "uk")
    # Django's own catalogue has "не може складається"; the project says it correctly.
    assert "Пароль не може складатися лише з цифр." in html
    assert "складається лише" not in html
    assert "Your password cannot be entirely numeric." in _page(client, "/account/password/", "en")
    # the confirmation asks for the new password again, not "the same password as before"
    assert "Повторіть новий пароль." in html and "що і раніше" not in html


@pytest.mark.parametrize(("language", "name"), [("uk", "API-ключ"), ("en", "API key")])
def test_the_new_api_key_name_is_suggested_in_the_page_language(client, owner, language, name):
    client.force_login(owner)
    html = _page(client, "/account/api-keys/", language)
    assert re.search(rf'name="name"[^>]*value="{name}"', html)


@pytest.mark.parametrize(
    ("language", "rate"), [("en", "Hourly rate, UAH"), ("uk", "Ставка за годину, грн")]
)
def test_staff_logins_are_plain_text_and_the_rate_says_its_currency(
    org, owner, staff_client, language, rate
):
    # issue 17: logins in a pink code font; "Hourly rate" without a currency
    from tests.pages import staff_page

    page = staff_page(staff_client, owner, language, "accounts:staff")
    assert f'<td data-testid="staff-login">{owner.username}</td>' in page
    assert f"<code>{owner.username}</code>" not in page
    form = staff_page(staff_client, owner, language, "accounts:staff_edit", owner.pk)
    assert f"{rate}</label>" in form or f"{rate} <span" in form
    new = staff_page(staff_client, owner, language, "accounts:staff_new")
    assert rate in new
