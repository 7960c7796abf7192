"""A client's form of address (issue 17): Ukrainian messages greet in the vocative, which
staff can correct (`Client.first_name_vocative`); the card's form says what an empty field
means, and the API reads and writes it."""

from __future__ import annotations

from html import unescape

import pytest
from django.utils import translation

from tests.factories_clients import make_client
from zapys.clients.forms import ClientForm, vocative_hint
from zapys.clients.models import Client
from zapys.clients.services import client_create, client_update
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog

SYSTEM = Actor.system("tests")


def _person(org, first_name: str = "Оксана", **fields) -> Client:
    return client_create(
        organization=org,
        actor=SYSTEM,
        last_name="Марченко",
        first_name=first_name,
        phone="+380671112233",
        **fields,
    )


# --- the model ------------------------------------------------------------------------


def test_the_greeting_is_the_vocative_in_ukrainian_and_the_name_in_english(org):
    client = _person(org)
    assert client.first_name_vocative == ""
    assert client.greeting_vocative == "Оксано"
    assert client.greeting_in("uk") == "Оксано"
    assert client.greeting_in("en") == "Оксана"
    assert client.greeting_in(None) == "Оксана"


def test_staff_written_form_wins_over_the_rule(org):
    client = _person(org, first_name="Наталя", first_name_vocative="Натале")
    assert client.suggested_vocative == "Наталю"
    assert client.greeting_in("uk") == "Натале"
    assert client.greeting_in("en") == "Наталя"  # English has no vocative


def test_a_name_the_rule_does_not_know_is_said_as_written(org):
    assert _person(org, first_name="Джон").greeting_in("uk") == "Джон"


def test_a_client_stored_as_one_line_is_declined_from_the_guessed_first_name(org):
    client = make_client(org, "Кравець Андрій")
    assert client.greeting_in("uk") == "Андрію"


def test_a_company_is_never_declined(org):
    company = make_client(org, "Ромашка", client_type="legal_entity")
    assert company.suggested_vocative == "Ромашка"


# --- the services ---------------------------------------------------------------------


def test_a_new_first_name_drops_the_form_written_for_the_old_one(org):
    client = _person(org, first_name_vocative="Ксаночко")
    client_update(client=client, actor=SYSTEM, first_name="Олена")
    client.refresh_from_db()
    assert client.first_name_vocative == ""
    assert client.greeting_in("uk") == "Олено"


def test_the_form_posting_the_old_form_back_with_a_new_name_drops_it_too(org):
    client = _person(org, first_name_vocative="Ксаночко")
    client_update(client=client, actor=SYSTEM, first_name="Олена", first_name_vocative="Ксаночко")
    client.refresh_from_db()
    assert client.first_name_vocative == ""


def test_a_new_name_with_a_new_form_keeps_the_new_form(org):
    client = _person(org, first_name_vocative="Ксаночко")
    client_update(client=client, actor=SYSTEM, first_name="Олена", first_name_vocative="Оленко")
    client.refresh_from_db()
    assert client.first_name_vocative == "Оленко"


def test_other_changes_keep_the_form(org):
    client = _person(org, first_name_vocative="Ксаночко")
    client_update(client=client, actor=SYSTEM, note="VIP", first_name="Оксана")
    client.refresh_from_db()
    assert client.first_name_vocative == "Ксаночко"


def test_the_form_is_one_line_and_audited(org):
    client = _person(org)
    client_update(client=client, actor=SYSTEM, first_name_vocative="  Ксано\n ")
    client.refresh_from_db()
    assert client.first_name_vocative == "Ксано"
    row = AuditLog.objects.filter(action="client.update").latest("id")
    assert row.changes["first_name_vocative"] == ["", "Ксано"]


def test_a_too_long_form_is_refused_and_nothing_changes(org):
    client = _person(org, first_name_vocative="Ксано")
    audits = AuditLog.objects.count()
    with pytest.raises(DomainError) as caught:
        client_update(client=client, actor=SYSTEM, first_name_vocative="О" * 101)
    assert caught.value.errors[0]["field"] == "first_name_vocative"
    client.refresh_from_db()
    assert client.first_name_vocative == "Ксано" and AuditLog.objects.count() == audits


def test_a_company_has_no_form_of_address(org):
    client = _person(org, first_name_vocative="Ксано")
    client_update(client=client, actor=SYSTEM, client_type="legal_entity", name="Ромашка")
    client.refresh_from_db()
    assert client.first_name_vocative == ""


# --- the staff form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "first_name", "hint"),
    [
        ("uk", "Оксана", "Якщо не заповнено — у повідомленнях українською «Оксано»."),
        ("en", "Оксана", "Empty: Ukrainian messages say “Оксано”."),
        ("uk", "Anna", "Якщо не заповнено — у повідомленнях українською ім'я як написано."),
        ("uk", "", "Якщо не заповнено — у повідомленнях українською ім'я в кличному відмінку"),
    ],
)
def test_the_hint_says_what_an_empty_field_means(language, first_name, hint):
    with translation.override(language):
        assert vocative_hint(first_name).startswith(hint)


def test_the_edit_page_shows_the_form_and_the_suggestion(org, staff_client):
    client = _person(org, first_name_vocative="Ксаночко")
    staff_client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    page = unescape(staff_client.get(f"/clients/{client.pk}/edit/").content.decode())
    assert "Звертання (кличний відмінок)" in page
    assert 'value="Ксаночко"' in page
    assert "Якщо не заповнено — у повідомленнях українською «Оксано»." in page


def test_the_new_client_page_explains_the_field(org, staff_client):
    staff_client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    page = unescape(staff_client.get("/clients/new/").content.decode())
    assert 'name="first_name_vocative"' in page
    assert "ім'я в кличному відмінку (Оксана → Оксано)" in page


def _posted(client: Client, **changes: str) -> dict[str, str]:
    return {
        "last_name": client.last_name,
        "first_name": client.first_name,
        "middle_name": "",
        "first_name_vocative": client.first_name_vocative,
        "phone": client.phone,
        "client_type": client.client_type,
        "status": client.status,
        **changes,
    }


def test_staff_correct_the_form_on_the_card(org, staff_client):
    client = _person(org)
    response = staff_client.post(
        f"/clients/{client.pk}/edit/", _posted(client, first_name_vocative="Ксано")
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.first_name_vocative == "Ксано"


def test_a_too_long_form_on_the_card_is_a_field_error_and_nothing_changes(org, staff_client):
    client = _person(org)
    response = staff_client.post(
        f"/clients/{client.pk}/edit/", _posted(client, first_name_vocative="О" * 101)
    )
    assert response.status_code == 200
    assert "first_name_vocative" in response.context["form"].errors
    client.refresh_from_db()
    assert client.first_name_vocative == ""


def test_a_posted_form_recomputes_the_hint_from_the_typed_name():
    form = ClientForm({"first_name": "Андрій", "client_type": "individual", "status": "active"})
    with translation.override("en"):
        assert str(form.fields["first_name_vocative"].help_text) == (
            "Empty: Ukrainian messages say “Андрію”."
        )


# --- the API ------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_form(org, api):
    created = api.post(
        "/clients",
        {
            "first_name": "Наталя",
            "last_name": "Коваль",
            "phone": "0671234567",
            "first_name_vocative": "Натале",
        },
    )
    assert created.status == 201, created.body
    assert created.body["first_name_vocative"] == "Натале"
    client_id = created.body["id"]
    assert api.get(f"/clients/{client_id}").body["first_name_vocative"] == "Натале"
    patched = api.patch(f"/clients/{client_id}", {"first_name_vocative": ""})
    assert patched.body["first_name_vocative"] == ""
    assert Client.objects.get(pk=client_id).greeting_in("uk") == "Наталю"


def test_the_api_renaming_a_client_drops_the_old_form(org, api):
    client = _person(org, first_name_vocative="Ксаночко")
    patched = api.patch(f"/clients/{client.pk}", {"first_name": "Олена"})
    assert patched.status == 200 and patched.body["first_name_vocative"] == ""


def test_the_api_refuses_a_too_long_form_and_changes_nothing(org, api):
    client = _person(org, first_name_vocative="Ксано")
    response = api.patch(f"/clients/{client.pk}", {"first_name_vocative": "О" * 101})
    assert response.status == 422
    client.refresh_from_db()
    assert client.first_name_vocative == "Ксано"


def test_another_organizations_client_is_not_reachable(org, other_org, api):
    foreign = client_create(
        organization=other_org, actor=SYSTEM, first_name="Оксана", phone="+380671112299"
    )
    response = api.patch(f"/clients/{foreign.pk}", {"first_name_vocative": "Ксано"})
    assert response.status == 404
    foreign.refresh_from_db()
    assert foreign.first_name_vocative == ""
