"""Issue 17, fifth tour: the staff side has one name for the thing it does — «Онлайн-продажі»
/ "Online sales" (the tab said «Онлайн-покупки» under the page «Онлайн-продажі»); a sale is
named by what was bought, not its code or its payment's number; dates in words; the stored
notices say "balance" and "payment service" like the rest, and rows stored before still
render."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import SYSTEM
from tests.pages import staff_page
from zapys.messaging.models import StaffNotification
from zapys.online_sales.services import FORMER_TEXTS
from zapys.online_sales.tests.factories import make_sale

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "name", "other"),
    [("uk", "Онлайн-продажі", "Онлайн-покупки"), ("en", "Online sales", "Online purchases")],
)
def test_the_sales_list_and_a_sale_say_one_name(
    staff_client, owner, org, shop, language, name, other
):
    sale = make_sale(org, shop)
    listing = staff_page(staff_client, owner, language, "online_sales:sales")
    nav = re.search(r'data-testid="online-sales-nav">(.*?)</ul>', listing, re.S).group(1)
    assert f">{name}</a>" in nav and other not in listing
    page = staff_page(staff_client, owner, language, "online_sales:sale", sale.pk)
    assert other not in page
    h1 = " ".join(re.sub(r"<[^>]+>", " ", re.search(r"<h1.*?</h1>", page, re.S).group(0)).split())
    assert sale.plan_name in h1 and sale.activation_code not in h1
    # the payment is a link to its page, named by its status, not «№13»
    payment = re.search(r'data-testid="sale-payment">([^<]*)<', page)
    assert payment and "#" not in payment.group(1) and "№" not in payment.group(1)
    assert f"№{sale.payment_id}" not in page and f"#{sale.payment_id} " not in page
    assert not re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", page)
    assert not re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", listing)


def test_the_list_shows_a_buyers_whole_email(
    staff_client, owner, org, shop, django_assert_max_num_queries
):
    for n in range(3):
        make_sale(org, shop, email=f"olena.buyer{n}@example.com")
    staff_page(staff_client, owner, "uk", "online_sales:sales")
    with django_assert_max_num_queries(14):
        page = staff_page(staff_client, owner, "uk", "online_sales:sales")
    emails = re.findall(r'data-testid="sale-email">(.*?)</span>', page)
    assert sorted(emails) == [f"olena.buyer{n}<wbr>@example.com" for n in range(3)]
    assert "…" not in page


def test_notices_say_balance_and_payment_service():
    with translation.override("en"):
        for msgid in (
            "An online sale was refunded at the payment service",
            "%(amount)s of the purchase %(code)s went back to the buyer; it is recorded as a "
            "refund on the client's balance. The membership stays active.",
        ):
            assert "account" not in msgid and "provider" not in msgid
    with translation.override("uk"):
        assert translation.gettext("An online sale was refunded at the payment service").startswith(
            "Онлайн-продаж повернено"
        )


@pytest.mark.parametrize("msgid", FORMER_TEXTS)
def test_the_texts_stored_before_are_still_in_the_catalogue(msgid):
    with translation.override("uk"):
        assert translation.gettext(msgid) != msgid


def test_a_notice_stored_before_still_renders_in_each_language():
    old = StaffNotification(
        title="Онлайн-продаж повернено в кабінеті платіжного сервісу",
        title_text={"msgid": "An online sale was refunded at the payment provider", "params": {}},
        body="",
        body_text={
            "msgid": "%(amount)s of the purchase %(code)s went back to the buyer; it will be "
            "recorded on the client's account when the purchase is attached.",
            "params": {"amount": {"money": 50000, "currency": "UAH"}, "code": "KGK-F8MN"},
        },
    )
    with translation.override("en"):
        assert old.shown_title == "An online sale was refunded at the payment provider"
    with translation.override("uk"):
        assert old.shown_title == "Онлайн-продаж повернено в кабінеті платіжного сервісу"
        assert old.shown_body.startswith("500,00")
        assert "KGK-F8MN повернено покупцю" in old.shown_body


def test_the_reports_commission_agrees_with_the_payments_report(
    staff_client, owner, org, shop, django_assert_max_num_queries
):
    """The fifth tour read 155 грн of commission here and 115 грн in «Оплати та нарахування»
    for the same days. Both are right about different things: the payment service kept the
    commission of every paid sale (155), and the payments report charges it to a client
    when the sale is attached (115: one sale was not). The report now says how much of its
    commission is not charged yet, and the two add up."""
    from django.db.models import Sum

    from tests.factories_messaging import make_client
    from zapys.ledger.models import Entry
    from zapys.online_sales import selectors, services
    from zapys.online_sales.tests.factories import make_sale

    attached = make_sale(org, shop, email="a@example.com")
    services.online_sale_attach(
        sale=attached, client=make_client(org, phone="+380501112233"), actor=SYSTEM
    )
    make_sale(org, shop, email="b@example.com")  # paid, nobody attached it yet
    today = timezone.localdate()
    (row,) = selectors.report(date_from=today, date_to=today)
    charged = Entry.objects.filter(purpose=Entry.Purpose.SERVICE_FEE).aggregate(s=Sum("amount"))
    assert row.commission == 2 * attached.commission
    assert row.commission - row.commission_unattached == abs(charged["s"])
    owner.language = "uk"
    owner.save(update_fields=["language"])
    with django_assert_max_num_queries(14):
        page = staff_client.get(reverse("online_sales:report")).content.decode()
    note = re.search(r'data-testid="commission-unattached">([^<]*)<', page).group(1)
    assert "ще не закріплені за клієнтом" in note and "Оплати та нарахування" in note
    assert note.replace("\xa0", " ").startswith(
        f"З цієї комісії {attached.commission // 100},{attached.commission % 100:02d} грн"
    )
