"""The top-up's receipt line is read in each reader's language (issue 17): written by a
Ukrainian callback, it says "Balance top-up" on the English day's sales."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from zapys.ledger.models import SalesReceiptLine
from zapys.payments.services import payment_succeed


def test_the_top_up_line_keeps_its_msgid_and_reads_in_each_language(org, branch, staff_client):
    payment = make_topup(org, account=make_account(org, "sandbox"), amount=50_000)
    with translation.override("uk"):
        payment_succeed(payment=payment, actor=SYSTEM)
    line = SalesReceiptLine.objects.get()
    assert (line.name, line.name_text) == (
        "Поповнення балансу",
        {"msgid": "Balance top-up", "params": {}},
    )
    for language, shown, other in (
        ("en", "Balance top-up", "Поповнення балансу"),
        ("uk", "Поповнення балансу", "Balance top-up"),
    ):
        staff_client.cookies["django_language"] = language
        html = staff_client.get(reverse("ledger:day_sales")).content.decode()
        assert f"{shown} — " in html and other not in html, language
