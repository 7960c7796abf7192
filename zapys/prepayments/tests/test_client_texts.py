"""What the organization writes for its clients (issue 17): each text in Ukrainian and in
English, the payment page showing the one of the client's language, an empty English
version falling back to the main text, and the agreement's evidence naming the text read."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from tests.factories import SYSTEM
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.core.tenancy import org_scope
from zapys.prepayments import services, sweeps
from zapys.prepayments.models import Booking, client_text

UK = {
    "page_subtitle": "Салон краси",
    "page_call_to_action": "Очікуємо оплати броні",
    "page_expired_message": "Термін оплати минув.",
    "agreement_text": "Передоплата не повертається.",
}
EN = {
    "page_subtitle_en": "Beauty salon",
    "page_call_to_action_en": "We are waiting for your deposit",
    "page_expired_message_en": "The time to pay has passed.",
    "agreement_text_en": "The deposit is not refunded.",
}


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org, page_language="uk", **UK, **EN)
    return make_booking_type(org, "fixed", 20_000)


def _page(client, booking: Booking, language: str) -> str:
    # the client's own choice: the language switch's cookie
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/p/{booking.token}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_texts_of_the_clients_language(client, org, branch, ready):
    booking = make_booking(org, branch)
    english = _page(client, booking, "en")
    assert "Beauty salon" in english and "We are waiting for your deposit" in english
    assert "The deposit is not refunded." in english
    for text in UK.values():
        assert text not in english
    ukrainian = _page(client, booking, "uk")
    assert "Салон краси" in ukrainian and "Очікуємо оплати броні" in ukrainian
    assert "Передоплата не повертається." in ukrainian
    for text in EN.values():
        assert text not in ukrainian


def test_the_page_language_setting_picks_the_texts_without_a_cookie(client, org, branch, ready):
    services.prepayment_settings_update(organization=org, actor=SYSTEM, page_language="en")
    page = client.get(f"/p/{make_booking(org, branch).token}/").content.decode()
    assert "Beauty salon" in page and "Салон краси" not in page


def test_the_expired_message_in_each_language(client, org, branch, ready):
    booking = make_booking(org, branch)
    sweeps.sweep(booking.expires_at)
    english = _page(client, booking, "en")
    assert 'data-testid="expired-message"' in english
    assert "The time to pay has passed." in english and "Термін оплати минув." not in english
    ukrainian = _page(client, booking, "uk")
    assert "Термін оплати минув." in ukrainian and "The time to pay has passed." not in ukrainian


def test_an_empty_english_text_falls_back_to_the_main_one(client, org, branch, ready):
    services.prepayment_settings_update(
        organization=org,
        actor=SYSTEM,
        page_subtitle_en="",
        page_call_to_action_en="",
        agreement_text_en="",
    )
    english = _page(client, make_booking(org, branch), "en")
    assert "Салон краси" in english and "Очікуємо оплати броні" in english
    assert "Передоплата не повертається." in english


def test_client_text_rule():
    assert client_text("Привіт", "Hello", "en") == "Hello"
    assert client_text("Привіт", "Hello", "en-us") == "Hello"
    assert client_text("Привіт", "Hello", "uk") == "Привіт"
    assert client_text("Привіт", "", "en") == "Привіт"
    assert client_text("Привіт", None, "en") == "Привіт"  # a snapshot without the key
    assert client_text("Привіт", "Hello", None) == "Привіт"


def test_the_booking_freezes_both_agreement_texts(org, branch, ready):
    booking = make_booking(org, branch)
    assert booking.terms_snapshot["agreement_text"] == "Передоплата не повертається."
    assert booking.terms_snapshot["agreement_text_en"] == "The deposit is not refunded."
    # a later edit does not change what this booking's client reads
    services.prepayment_settings_update(organization=org, actor=SYSTEM, agreement_text_en="New.")
    booking.refresh_from_db()
    assert booking.agreement_snapshot_text("en") == "The deposit is not refunded."


def test_the_agreement_accepted_on_an_english_page_is_the_english_text(
    client, staff_client, org, branch, ready
):
    booking = make_booking(org, branch)
    _page(client, booking, "en")
    client.post(f"/p/{booking.token}/", {"accept": "on"}, HTTP_USER_AGENT="Phone/1.0")
    booking.refresh_from_db()
    assert booking.accepted_at is not None and booking.accepted_language == "en"
    assert booking.agreement_accepted_text == "The deposit is not refunded."
    detail = staff_client.get(f"/prepayments/{booking.pk}/").content.decode()
    assert 'data-testid="accepted-language">English<' in detail
    assert "The deposit is not refunded." in detail and "Передоплата не повертається." not in detail


def test_the_agreement_accepted_on_a_ukrainian_page(client, org, branch, ready):
    booking = make_booking(org, branch)
    _page(client, booking, "uk")
    client.post(f"/p/{booking.token}/", {"accept": "on"})
    booking.refresh_from_db()
    assert booking.accepted_language == "uk"
    assert booking.agreement_accepted_text == "Передоплата не повертається."


def test_an_old_snapshot_with_only_the_main_text_still_shows_it(client, org, branch, ready):
    booking = make_booking(org, branch)
    old = {k: v for k, v in booking.terms_snapshot.items() if k != "agreement_text_en"}
    old["agreement_text"] = "Old terms."
    with org_scope(org):
        Booking.objects.filter(pk=booking.pk).update(terms_snapshot=old)
    english = _page(client, booking, "en")
    assert "Old terms." in english and "The deposit is not refunded." not in english
    client.post(f"/p/{booking.token}/", {"accept": "on"})
    booking.refresh_from_db()
    assert booking.accepted_language == "en" and booking.agreement_accepted_text == "Old terms."


def test_api_round_trip(api, org):
    before = api.get("/prepayment/settings").body
    assert {k: before[k] for k in EN} == dict.fromkeys(EN, "")
    r = api.patch("/prepayment/settings", EN)
    assert r.status == 200, r.body
    assert {k: r.body[k] for k in EN} == EN
    assert {k: api.get("/prepayment/settings").body[k] for k in EN} == EN
    bad = api.patch("/prepayment/settings", {"page_subtitle_en": "x" * 201})
    assert bad.status == 422 and [e["field"] for e in bad.body["errors"]] == ["page_subtitle_en"]
    assert api.get("/prepayment/settings").body["page_subtitle_en"] == "Beauty salon"


def test_the_settings_form_saves_the_english_texts(staff_client, org, ready):
    page = staff_client.get("/settings/prepayment/?tab=page").content.decode()
    # each English version right under its main text, labelled and explained
    assert page.index('name="page_subtitle"') < page.index('name="page_subtitle_en"')
    assert page.index('name="page_subtitle_en"') < page.index('name="page_call_to_action"')
    assert "(англійською)" in page and "порожнє = текст вище" in page
    r = staff_client.post(
        "/settings/prepayment/?tab=page",
        {
            "page_language": "uk",
            "page_theme": "light",
            "page_subtitle": "Студія",
            "page_subtitle_en": "Studio",
            "page_call_to_action": "Чекаємо",
            "page_call_to_action_en": "",
            "page_expired_message": "Запізно.",
            "page_expired_message_en": "Too late.",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    r = staff_client.post(
        "/settings/prepayment/?tab=agreement",
        {"agreement_enabled": "on", "agreement_text": "Умови.", "agreement_text_en": "Terms."},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    saved = services.prepayment_settings_get(org)
    assert (saved.page_subtitle, saved.page_subtitle_en) == ("Студія", "Studio")
    assert (saved.page_call_to_action, saved.page_call_to_action_en) == ("Чекаємо", "")
    assert saved.page_expired_message_en == "Too late."
    assert (saved.agreement_text, saved.agreement_text_en) == ("Умови.", "Terms.")
    assert saved.texts("en") == {
        "page_subtitle": "Studio",
        "page_call_to_action": "Чекаємо",
        "page_expired_message": "Too late.",
        "agreement_text": "Terms.",
    }
