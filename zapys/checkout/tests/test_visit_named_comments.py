"""The checkout's ledger comments name the visit in words, not a numeric date or a payment
number (issue 17): «Візит Стрижка, 02.12.2026 09:00» and «Онлайн-оплата №12: …» became
«Стрижка жіноча, 2 грудня о 09:00» and «Онлайн-оплата: Стрижка жіноча, 2 грудня о 09:00»,
each in the reader's language; rows stored before still render in both."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import SYSTEM
from tests.pages import staff_page
from zapys.checkout.services import PaymentIn, visit_checkout
from zapys.checkout.texts import FORMER_TEXTS
from zapys.ledger.models import Entry
from zapys.payments.models import PaymentRefund
from zapys.payments.services import payment_succeed
from zapys.payments.services.refunds import _refund_confirm
from zapys.prepayments.tests.visit_words import visit_words

pytestmark = pytest.mark.usefixtures("midday")


def _shown(row, language: str) -> str:
    with translation.override(language):
        return str(row.comment_shown)


def _no_numbers(text: str) -> None:
    assert "№" not in text and "#" not in text and "." not in text.split(",")[-1], text


def test_money_at_the_desk_names_the_visit_in_each_language(visit, actor):
    with translation.override("uk"):  # a Ukrainian desk writes it
        visit_checkout(visit=visit, payments=[PaymentIn("cash", 45_000)], actor=actor)
    money = Entry.objects.get(purpose=Entry.Purpose.PAYMENT)
    assert money.comment_text is not None
    assert money.comment_text["msgid"] == "%(what)s, %(when)s"
    uk, en = visit_words(visit, "uk"), visit_words(visit, "en")
    assert money.comment == uk  # rendered when written: the API's text
    assert _shown(money, "uk") == uk
    assert _shown(money, "en") == en
    _no_numbers(_shown(money, "uk"))


def test_an_online_link_and_its_refund_name_the_visit_not_the_payment(org, visit, actor):
    link = visit_checkout(visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=actor)
    payment = link.checkout.payment
    with translation.override("uk"):
        payment_succeed(payment=payment, actor=SYSTEM)
    uk, en = visit_words(visit, "uk"), visit_words(visit, "en")
    paid = Entry.objects.get(purpose=Entry.Purpose.PAYMENT)
    assert _shown(paid, "uk") == f"Онлайн-оплата: {uk}"
    assert _shown(paid, "en") == f"Online payment: {en}"
    payment.refresh_from_db()
    refund = PaymentRefund.objects.create(
        organization=org, payment=payment, amount=45_000, created_by="test"
    )
    with translation.override("uk"):
        assert _refund_confirm(payment=payment, refund=refund, actor=SYSTEM, via_callback=True)
    back = Entry.objects.get(purpose=Entry.Purpose.REFUND)
    assert _shown(back, "uk") == f"Повернення онлайн-оплати: {uk}"
    assert _shown(back, "en") == f"Refund of the online payment: {en}"
    with translation.override("uk"):  # what the refund left owing, taken at the desk
        visit_checkout(visit=visit, payments=[PaymentIn("card", 45_000)], actor=actor)
    again = Entry.objects.filter(purpose=Entry.Purpose.PAYMENT).latest("pk")
    assert _shown(again, "uk") == f"{uk}: знову оплачено після повернення"
    assert _shown(again, "en") == f"{en}: paid again after a refund"
    for row in (paid, back, again):
        # (the payment's number as the text would write it: a bare digit may be in the
        # factory's service name, «Haircut 182»)
        shown = _shown(row, "uk")
        assert f"№{payment.pk}" not in shown and f"#{payment.pk}" not in shown


def test_a_link_paid_for_a_visit_settled_meanwhile_says_so(visit, actor):
    link = visit_checkout(visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=actor)
    payment = link.checkout.payment
    visit_checkout(visit=visit, payments=[PaymentIn("cash", 45_000)], actor=actor)
    payment.refresh_from_db()
    with translation.override("uk"):
        payment_succeed(payment=payment, actor=SYSTEM)  # a late success of the closed link
    top_up = Entry.objects.get(purpose=Entry.Purpose.TOP_UP)
    uk, en = visit_words(visit, "uk"), visit_words(visit, "en")
    assert _shown(top_up, "uk") == f"Онлайн-оплата за візит, уже оплачений інакше: {uk}"
    assert _shown(top_up, "en") == f"Online payment for a visit already paid otherwise: {en}"


@pytest.mark.parametrize("msgid", FORMER_TEXTS)
def test_the_texts_stored_before_are_still_in_the_catalogue(msgid):
    with translation.override("uk"):
        assert gettext(msgid) != msgid


def test_rows_stored_before_still_render_in_each_language():
    old = Entry(
        comment="Візит Стрижка, 02.12.2026 09:00",
        comment_text={
            "msgid": "Visit %(what)s, %(when)s",
            "params": {"what": "Стрижка", "when": "02.12.2026 09:00"},
        },
    )
    assert _shown(old, "uk") == "Візит Стрижка, 02.12.2026 09:00"
    assert _shown(old, "en") == "Visit Стрижка, 02.12.2026 09:00"
    online = Entry(
        comment="Онлайн-оплата №12: Стрижка",
        comment_text={
            "msgid": "Online payment #%(id)s for %(what)s",
            "params": {"id": 12, "what": "Стрижка"},
        },
    )
    assert _shown(online, "uk") == "Онлайн-оплата №12: Стрижка"
    assert _shown(online, "en") == "Online payment #12 for Стрижка"


def test_the_pages_show_the_visit_in_the_readers_language(visit, actor, staff_client, owner):
    with translation.override("uk"):
        visit_checkout(visit=visit, payments=[PaymentIn("cash", 45_000)], actor=actor)
    uk, en = visit_words(visit, "uk"), visit_words(visit, "en")
    for name, args in (
        ("ledger:payments_report", ()),
        ("ledger:client_entries", (visit.client_id,)),
    ):
        english = staff_page(staff_client, owner, "en", name, *args)
        assert en in english and uk not in english, name
        ukrainian = staff_page(staff_client, owner, "uk", name, *args)
        assert uk in ukrainian and en not in ukrainian, name
