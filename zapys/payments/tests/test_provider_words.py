"""The payment services' settings in the administrator's words, the same in both languages:
the test provider has one name («Тестові платежі» / "Test payments", it had three), the tab
is "Payment services" in English as in Ukrainian, the account's identifier at the provider
is the shop's (as LiqPay's and WayForPay's cabinets say, not a calque of "merchant"), and a
stored key is shown under its own label, never by its raw name."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from tests.factories_payments import make_account
from tests.pages import staff_page
from zapys.core.exceptions import DomainError
from zapys.payments.models import DEMO_ACCOUNT_NAME, PaymentAccount
from zapys.payments.services.creating import _default_account

pytestmark = pytest.mark.django_db

OLD_NAMES = ("Sandbox", "Пісочниця", "(demo)", "(демо)", "sandbox")


def _visible(page: str) -> str:
    """The page's text as read: no scripts, tags or attribute values."""
    page = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.parametrize(
    ("language", "name", "tab", "shop"),
    [
        ("uk", "Тестові платежі", "Платіжні сервіси", "Ідентифікатор магазину"),
        ("en", "Test payments", "Payment services", "Shop ID"),
    ],
)
def test_the_accounts_page_names_the_test_provider_once(
    staff_client, owner, org, language, name, tab, shop
):
    make_account(org, "sandbox")
    make_account(org, "liqpay", name="Каса на Подолі")
    page = staff_page(staff_client, owner, language, "payments:accounts")
    text = _visible(page)
    assert f"<title>{tab}" in page
    assert re.search(rf'data-testid="settings-tab-payment_accounts">{tab}<', page)
    assert f">{shop}</th>" in page
    assert name in text
    for old in (*OLD_NAMES, "Payment accounts", "Продавець"):
        assert old not in text, old
    assert ">Merchant</th>" not in page  # WayForPay's own "Merchant login" is quoted


@pytest.mark.parametrize(("language", "name"), [("uk", "Тестові платежі"), ("en", "Test payments")])
def test_the_provider_choice_says_test_payments(language, name):
    with translation.override(language):
        labels = [str(label) for _code, label in PaymentAccount.Provider.choices]
    assert labels == ["LiqPay", "WayForPay", name]


def test_the_edit_page_shows_a_stored_key_under_its_label(staff_client, owner, org):
    account = make_account(org, "liqpay")
    uk = staff_page(staff_client, owner, "uk", "payments:account_edit", account.pk)
    help_text = re.search(r"Збережено: (•+\S{4})\. Залиште порожнім, щоб не змінювати\.", uk)
    assert help_text, "the private key's help names what is stored"
    assert "Ключі зберігаються в зашифрованому вигляді" in uk
    text = _visible(uk)
    for raw in ("private_key", "public_key", "Stored key", "Збережений ключ", "Секрети"):
        assert raw not in text, raw
    en = staff_page(staff_client, owner, "en", "payments:account_edit", account.pk)
    assert "Keys are stored encrypted and are not shown again" in en
    assert re.search(r"Stored: •+\S{4}\. Leave empty to keep it\.", en)


def test_wayforpay_fields_use_the_cabinets_words(staff_client, owner, org):
    uk = staff_page(staff_client, owner, "uk", "payments:accounts")
    assert "Логін магазину WayForPay (Merchant login)" in uk
    assert "Домен магазину WayForPay" in uk
    assert "продавця" not in uk


def test_no_account_message_names_the_tab_as_it_is_called(org):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        _default_account(org)
    assert "Settings → Payment services" in str(caught.value)


@pytest.mark.parametrize(("language", "name"), [("uk", "Тестові платежі"), ("en", "Test payments")])
def test_the_invoice_settings_select_names_the_demo_account_once(
    staff_client, owner, org, language, name
):
    # The demo's account, named in the organization's language, as the demo names it.
    with translation.override("uk"):
        make_account(org, "sandbox", name=translation.gettext(DEMO_ACCOUNT_NAME))
    page = staff_page(staff_client, owner, language, "invoices:settings")
    select = re.search(r'<select name="payment_account".*?</select>', page, flags=re.S)
    assert select is not None
    options = [o.strip() for o in re.findall(r"<option[^>]*>([^<]*)</option>", select.group())]
    assert name in options
    assert not [o for o in options if "·" in o or "(" in o], options


def test_the_test_account_page_names_it_once(staff_client, owner, org):
    account = make_account(org, "sandbox")
    en = staff_page(staff_client, owner, "en", "payments:account_edit", account.pk)
    # a page of the settings: the trail names it (Payment services › Test payments)
    assert re.search(
        r'<li class="breadcrumb-item active" aria-current="page">Test payments</li>', en
    )
    assert "Keys are stored encrypted" not in en  # it has no keys
    liqpay = make_account(org, "liqpay", name="Каса на Подолі")
    en = staff_page(staff_client, owner, "en", "payments:account_edit", liqpay.pk)
    assert re.search(r'aria-current="page">Каса на Подолі <span[^>]*>· LiqPay</span></li>', en)


@pytest.mark.parametrize(
    ("language", "word"), [("uk", "Платіжний сервіс"), ("en", "Payment service")]
)
def test_the_payments_pages_say_payment_service(staff_client, owner, org, language, word):
    """The list's column, the payment's page, the services' table and the forms say
    "Payment service" as the Ukrainian says «Платіжний сервіс» (the English said
    "Provider")."""
    from tests.factories_payments import make_topup

    account = make_account(org, "sandbox")
    payment = make_topup(org, account=account)
    pages = {
        "list": staff_page(staff_client, owner, language, "payments:list"),
        "detail": staff_page(staff_client, owner, language, "payments:detail", payment.pk),
        "accounts": staff_page(staff_client, owner, language, "payments:accounts"),
        "account": staff_page(staff_client, owner, language, "payments:account_edit", account.pk),
    }
    assert f"<th>{word}</th>" in pages["list"] and f"<th>{word}</th>" in pages["accounts"]
    assert f">{word}</dt>" in pages["detail"]
    for name, page in pages.items():
        text = _visible(page)
        assert not re.search(r"\b[Pp]rovider\b|Провайдер", text), name
