"""Issue 17: a payment account the system named (the demo's sandbox account, or the
provider's label stored when no name was typed) is shown in the page's language on every
page and select; a name a person typed is shown as typed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories_payments import make_account, make_client, make_topup
from tests.pages import staff_page
from zapys.core.models import AuditLog
from zapys.payments.demo import DEMO_ACCOUNT_NAME
from zapys.payments.models import PaymentAccount

pytestmark = pytest.mark.django_db


def _demo_account(org, language: str) -> PaymentAccount:
    with translation.override(language):  # as the demo names it: the organization's language
        return make_account(org, "sandbox", name=translation.gettext(DEMO_ACCOUNT_NAME))


def test_the_demo_account_reads_in_english_on_english_pages(org, owner, staff_client):
    account = _demo_account(org, "uk")
    assert account.name == "Тестові платежі"
    payment = make_topup(org, account=account)
    client = make_client(org)
    pages = [
        staff_page(staff_client, owner, "en", "payments:accounts"),
        staff_page(staff_client, owner, "en", "payments:account_edit", account.pk),
        staff_page(staff_client, owner, "en", "payments:detail", payment.pk),
        staff_page(staff_client, owner, "en", "topups:client_topup", client.pk),  # the select
    ]
    for page in pages:
        assert "Test payments" in page
        assert "Тестові платежі" not in page
    # the payment's page names the account once: its name is its provider's
    assert "Test payments · Test payments" not in pages[2]


def test_the_demo_account_reads_in_ukrainian_on_ukrainian_pages(org, owner, staff_client):
    account = _demo_account(org, "en")
    client = make_client(org)
    for page in (
        staff_page(staff_client, owner, "uk", "payments:accounts"),
        staff_page(staff_client, owner, "uk", "payments:account_edit", account.pk),
        staff_page(staff_client, owner, "uk", "topups:client_topup", client.pk),
    ):
        assert "Тестові платежі" in page
        assert "Test payments" not in page


def test_the_old_names_of_the_test_provider_are_system_names_too(org):
    # Three names for one thing stood side by side in the invoice settings' select.
    olds = ("Sandbox", "Пісочниця", "Sandbox (test payments)", "Пісочниця (тестові платежі)")
    for old in (*olds, "Test payments (demo)", "Тестові платежі (демо)"):
        account = make_account(org, "sandbox", name=old)
        with translation.override("en"):
            assert account.display_name == "Test payments"
            assert str(account) == "Test payments"
        with translation.override("uk"):
            assert account.display_name == "Тестові платежі"
            assert str(account) == "Тестові платежі"


def test_an_unnamed_account_shows_its_provider_in_the_readers_language(org):
    with translation.override("uk"):
        account = make_account(org, "sandbox", name="")
    assert account.name == "Тестові платежі"
    with translation.override("en"):
        assert account.display_name == "Test payments"
        assert str(account) == "Test payments"  # the provider once, not twice
    with translation.override("uk"):
        assert str(account) == "Тестові платежі"


def test_a_typed_name_stays_as_typed(org, owner, staff_client):
    typed = make_account(org, "sandbox", name="Каса на Подолі")
    # "Sandbox" typed for a real provider's account is the person's word, not the demo's.
    liqpay = make_account(org, "liqpay", name="Sandbox")
    for language in ("en", "uk"):
        with translation.override(language):
            assert typed.display_name == "Каса на Подолі"
            assert liqpay.display_name == "Sandbox"
            assert str(liqpay) == "Sandbox · LiqPay"
        page = staff_page(staff_client, owner, language, "payments:accounts")
        assert "Каса на Подолі" in page


def test_saving_the_form_unchanged_keeps_the_stored_name(org, owner, staff_client):
    account = _demo_account(org, "uk")
    owner.language = "en"
    owner.save(update_fields=["language"])
    url = reverse("payments:account_edit", args=[account.pk])
    response = staff_client.post(
        url, {"provider": "sandbox", "name": "Test payments", "is_default": "on"}
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.name == "Тестові платежі"
    update = AuditLog.objects.filter(action="payment_account.update").get()
    assert "name" not in update.changes
    # A new name is the person's: stored as typed.
    staff_client.post(url, {"provider": "sandbox", "name": "Test desk", "is_default": "on"})
    account.refresh_from_db()
    assert account.name == "Test desk"
