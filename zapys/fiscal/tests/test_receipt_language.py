"""The receipt sent to the tax service is Ukrainian (issue 17): a line the system wrote
("Balance top-up", a `StoredText`) is put into Ukrainian for Checkbox whatever the language
of the page or callback that moved the money; a name the salon typed goes as typed."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from zapys.core.stored_text import StoredText
from zapys.fiscal.models import FiscalReceipt
from zapys.fiscal.services import _sale_goods
from zapys.fiscal.tests.factories import make_register, paid_topup
from zapys.ledger.models import Entry, PaymentType, SalesReceiptLine
from zapys.ledger.money import SoldLine, money_received_record


def test_a_top_up_of_an_english_speaking_salon_is_fiscalised_in_ukrainian(org, branch, sim):
    org.language = "en"  # payment transitions run in the organization's language
    org.save(update_fields=["language"])
    make_register(org, branch, sim.base_url)
    paid_topup(org, 50_000)
    assert SalesReceiptLine.objects.get().name == "Balance top-up"  # as the callback wrote it
    [good] = FiscalReceipt.objects.get().goods
    assert good["good"]["name"] == "Поповнення балансу"
    assert good["good"]["price"] == 50_000


def test_typed_names_go_as_typed_and_system_ones_in_ukrainian(org, branch, sim):
    make_register(org, branch, sim.base_url)
    with translation.override("en"):
        money_received_record(
            client=make_client(org),
            amount=47_000,
            purpose=Entry.Purpose.PAYMENT,
            article="services",
            actor=SYSTEM,
            cause=None,
            comment="",
            sold=[
                SoldLine("Haircut (women)", 45_000),
                SoldLine(StoredText(gettext_noop("Balance top-up")), 2_000),
            ],
            branch=branch,
            method=PaymentType.Method.ONLINE,
        )
    goods = FiscalReceipt.objects.get().goods
    assert [(g["good"]["name"], g["good"]["price"]) for g in goods] == [
        ("Haircut (women)", 45_000),
        ("Поповнення балансу", 2_000),
    ]


def test_lines_that_do_not_add_up_become_one_ukrainian_line():
    with translation.override("en"):
        goods = _sale_goods(7, (), 10_000)
        assert [g["good"]["name"] for g in goods] == ["Оплата"]
        prepaid = StoredText(gettext_noop("Prepayment: %(what)s"), what="Manicure")
        goods = _sale_goods(7, ((prepaid, 4_000),), 10_000)
        assert [(g["good"]["name"], g["good"]["price"]) for g in goods] == [
            ("Передоплата: Manicure", 10_000)
        ]
