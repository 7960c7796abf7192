"""The messaging settings read as a salon owner reads them: credentials under their labels
(not "token:"), keys kept "in encrypted form" (not «Секрети зберігаються зашифрованими»),
and help that says what happens instead of how the code picks ("the lowest number is
used", "Empty or 0", "Empty positions are skipped")."""

from __future__ import annotations

import re

import pytest

from tests.factories_messaging import make_transport_account
from tests.pages import staff_page

pytestmark = pytest.mark.django_db

MACHINE_WORDS = (
    "Secrets",
    "Секрети",
    "lowest number is used",
    "найменше число",
    "Empty or 0",
    "Якщо не заповнено або 0",
    "Empty positions",
    "Порожні позиції",
    "досягти клієнта",
    "default address",
)


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", page, flags=re.S))


@pytest.mark.parametrize(
    ("language", "token_label", "order_words"),
    [
        ("uk", "API-токен", "Кожне повідомлення надсилається один раз"),
        ("en", "API token", "Each message is sent once"),
    ],
)
def test_the_accounts_table_names_credentials_by_their_labels(
    staff_client, owner, org, language, token_label, order_words
):
    make_transport_account(
        org, "sms", "turbosms", {"token": "secret-token-1234", "sender": "Zoryana"}
    )
    page = staff_page(staff_client, owner, language, "messaging:settings")
    cell = page.split('data-testid="transport-accounts"')[1].split("</table>")[0]
    assert re.search(rf"{token_label}:</span> <code>•+1234</code>", cell)
    assert ">token:" not in cell and ">sender:" not in cell
    assert order_words in page
    for words in MACHINE_WORDS:
        assert words not in _text(page), words


@pytest.mark.parametrize(
    ("language", "keys", "priority"),
    [
        (
            "uk",
            "Ключі й паролі зберігаються в зашифрованому вигляді і більше не показуються",
            "повідомлення йдуть через той, у якого число менше",
        ),
        (
            "en",
            "Keys and passwords are stored encrypted and are not shown again",
            "messages go through the one with the smallest number",
        ),
    ],
)
def test_the_account_form_says_it_plainly(staff_client, owner, org, language, keys, priority):
    page = staff_page(staff_client, owner, language, "messaging:account_new")
    assert keys in page and priority in page
    for words in MACHINE_WORDS:
        assert words not in _text(page), words
