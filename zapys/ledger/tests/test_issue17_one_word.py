"""Issue 17: «Рахунок» and «Каса» each name one thing in the Ukrainian UI.

«Рахунок» is an invoice (рахунок на оплату); the ledger's account is the client's «баланс»
(«основний баланс», a membership's «окремий баланс абонемента»: it was «особовий рахунок»,
bank language beside «Рахунки») and a provider's account «платіжний сервіс» (it was
«платіжний рахунок», which
reviewers read as an invoice beside «Рахунки»; the ledger's «Комісія платіжного сервісу»
already said it so). «Каса» is the till (the page «Каса та
операції», a branch's cash desks); the fiscal register at Checkbox is «ПРРО» («Каси ПРРО»,
English "Cash registers (PRRO)"). Checked in the catalogues of the apps that use the words
and on the pages where both meanings meet.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

from tests.factories_ledger import make_client, make_membership, make_plan
from tests.pages import staff_page

APPS = Path(__file__).resolve().parents[2]
CATALOGUES = [
    "ledger",
    "memberships",
    "fiscal",
    "invoices",
    "topups",
    "online_sales",
    "core",
    "payments",
    "prepayments",
]


def _entries(app: str) -> list[polib.POEntry]:
    po = polib.pofile(str(APPS / app / "locale" / "uk" / "LC_MESSAGES" / "django.po"))
    return [e for e in po if not e.obsolete and e.msgstr]


@pytest.mark.parametrize("app", CATALOGUES)
def test_an_account_is_never_a_rakhunok(app):
    """A msgid about an account (not an invoice) says «баланс» or «платіжний сервіс»,
    never «рахунок»: not bare, not «особовий», not «платіжний»."""
    wrong = []
    for e in _entries(app):
        if not re.search(r"\baccounts?\b", e.msgid, re.I) or re.search("invoice", e.msgid, re.I):
            continue
        if "transport account" in e.msgid or "taken into account" in e.msgid:
            continue
        if "account at the provider" in e.msgid:  # the salon's own money at LiqPay
            continue
        if re.search(r"рахун", e.msgstr, re.I):
            wrong.append((e.msgid, e.msgstr))
    assert wrong == []


@pytest.mark.parametrize("app", CATALOGUES)
def test_the_fiscal_register_is_prro_and_never_a_bare_kasa(app):
    wrong = []
    for e in _entries(app):
        about_register = re.search(r"\bregisters?\b", e.msgid, re.I)
        bare_kasa = re.search(r"\bкас[аиуіо]\b(?!\s+ПРРО)", e.msgstr, re.I)
        if about_register and bare_kasa:
            wrong.append((e.msgid, e.msgstr))
    assert wrong == []


def test_the_ledger_keeps_the_till_as_kasa():
    ledger = {e.msgid: e.msgstr for e in _entries("ledger")}
    assert ledger["Cash & operations"] == "Каса та операції"
    assert ledger["Cash desks"] == "Каси"
    assert "ПРРО" not in "".join(ledger.values())


def _member(org):
    """A client whose membership keeps its money on its own account (the form offers it)."""
    client = make_client(org, "Шевчук Марія")
    make_membership(client, make_plan(org, "Йога 8", separate_account=True))
    return client


def test_the_entry_form_names_the_account_in_both_languages(staff_client, owner, org, branch):
    client = _member(org)
    uk = staff_page(staff_client, owner, "uk", "ledger:client_entry_new", client.pk)
    assert "Баланс" in uk and "Основний баланс" in uk
    assert not re.search(r">\s*Рахунок\s*<", uk)  # a bare «Рахунок» is an invoice
    assert "особов" not in uk.lower()
    en = staff_page(staff_client, owner, "en", "ledger:client_entry_new", client.pk)
    assert "Balance" in en and "Main balance" in en and "рахунок" not in en
    # nowhere in what the page says (names and attributes aside: `name="account"`)
    said = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", en, flags=re.S))
    assert not re.search(r"\b[Aa]ccount\b", said), re.findall(r".{40}\b[Aa]ccount\b.{40}", said)


def test_the_invoice_form_says_whose_account_gets_the_money(staff_client, owner, org, branch):
    client = _member(org)
    uk = staff_page(staff_client, owner, "uk", "invoices:new", client.pk)
    assert "Баланс клієнта" in uk and "Основний баланс" in uk
    assert "Йога 8 · Окремий баланс абонемента" in uk and "особов" not in uk.lower()
    en = staff_page(staff_client, owner, "en", "invoices:new", client.pk)
    assert "Client balance" in en and "Main balance" in en
    assert "Йога 8 · Separate membership balance" in en
    assert "Client account" not in en and "Base account" not in en


def test_the_registers_tab_and_the_cash_page_are_two_words(staff_client, owner, org, branch):
    uk = staff_page(staff_client, owner, "uk", "fiscal:registers")
    # the settings tab; the menu's till entry
    assert "<title>Каси ПРРО" in uk and '<i class="bi bi-wallet2 me-2"></i>Каса</a>' in uk
    assert "Каси (ПРРО)" not in uk
    en = staff_page(staff_client, owner, "en", "fiscal:registers")
    assert (
        "<title>Cash registers (PRRO)" in en and '<i class="bi bi-wallet2 me-2"></i>Till</a>' in en
    )
    cash = staff_page(staff_client, owner, "uk", "ledger:operations")
    assert "Каса та операції" in cash and "<title>Каси ПРРО" not in cash
