"""Every public page has the same Українська · English switch (public_base.html, one
include), and choosing a language there shows the page in it: booking, prepayment, payment,
waiting-list offer, shop, shop purchase, invoice and cabinet. Before, only the shop, the
invoice and the cabinet had one (three copies), and only those three read `?lang=`; now the
switch is two `?lang=` links, which every page reads in one place (core's
LanguageLinkMiddleware)."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_ledger import make_plan
from tests.factories_messaging import make_transport_account
from tests.factories_payments import make_account, make_topup
from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
from zapys.invoices.services import invoice_create
from zapys.online_sales.models import OnlineSale
from zapys.online_sales.services import online_settings_update, plan_online_update
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Offer

SWITCH = 'data-testid="language-switch"'


@pytest.fixture
def public_pages(
    client, org, branch, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    """One link of each public page."""
    _specialist, service = salon
    customer = make_client("Шевчук Марія")
    day = timezone.localtime(booked_slot.starts_at).date()
    services.entry_create(
        organization=org, client=customer, service=service, date_from=day, date_to=day, actor=SYSTEM
    )
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    offer = Offer.objects.get()

    enable_prepayment(org)
    booking = make_booking(org, branch, booking_type=make_booking_type(org))
    payment = make_topup(org, account=make_account(org, "sandbox"))
    invoice = invoice_create(client=customer, calculation="manual", amount=40_000, actor=SYSTEM)

    make_transport_account(org, "email")
    online_settings_update(
        organization=org,
        actor=SYSTEM,
        enabled=True,
        payment_account=make_account(org, "sandbox"),
        commission_percent=Decimal("2.5"),
    )
    plan = make_plan(org, "Dance 8", price=120_000, visits=8)
    plan_online_update(plan=plan, actor=SYSTEM, sell_online=True, button_text="Buy Dance 8")
    client.post(f"/shop/{org.slug}/{plan.pk}/", {"email": "buyer@example.com", "phone": ""})
    sale = OnlineSale.objects.get()
    client.cookies.clear()
    return {
        "book": f"/book/{org.slug}/",
        "prepayment": f"/p/{booking.token}/",
        "payment": f"/pay/{payment.token}/",
        "waiting-list offer": f"/w/{offer.token}/",
        "shop": f"/shop/{org.slug}/",
        "shop plan": f"/shop/{org.slug}/{plan.pk}/",
        "shop purchase": f"/shop/done/{sale.token}/",
        "invoice": f"/i/{invoice.token}/",
        "cabinet": f"/c/{customer.cabinet_token}/",
    }


def _switch(html: str) -> str:
    start = html.rindex("<nav", 0, html.index(SWITCH))
    return html[start : html.index("</nav>", start)]


def _link(switch: str, language: str) -> str:
    """The switch's link to `language`, as the browser would follow it."""
    anchor = switch[: switch.index(f'hreflang="{language}"')]
    return unescape(anchor[anchor.rindex('href="') + 6 :].split('"')[0])


@pytest.mark.parametrize("language", ["uk", "en"])
def test_every_public_page_has_the_one_switch_and_it_works(client, public_pages, language):
    other = "en" if language == "uk" else "uk"
    for name, url in public_pages.items():
        client.cookies["django_language"] = other
        html = client.get(url).content.decode()
        assert html.count(SWITCH) == 1 and f'<html lang="{other}">' in html, name
        link = _link(_switch(html), language)
        assert link == f"{url}?lang={language}", name
        chosen = client.get(link, REMOTE_ADDR="10.0.0.7")
        assert chosen.status_code == 200, name
        html = chosen.content.decode()
        assert f'<html lang="{language}">' in html, name
        switch = " ".join(_switch(html).split())
        assert ">Українська<" in switch and ">English<" in switch, name
        # the page's language is the marked one
        assert f'hreflang="{language}" lang="{language}" class="fw-semibold' in switch, name
        # the choice sticks: the cookie is set, the same address without `?lang=` keeps it
        assert chosen.cookies["django_language"].value == language, name
        again = client.get(url).content.decode()
        assert f'<html lang="{language}">' in again, name


def test_the_switch_keeps_the_query_and_replaces_an_old_lang(client, public_pages):
    url = public_pages["cabinet"]
    html = client.get(f"{url}?from=sms&lang=en").content.decode()
    assert _link(_switch(html), "uk") == f"{url}?from=sms&lang=uk"
    assert '<html lang="en">' in html


@pytest.mark.parametrize("name", ["payment", "book", "cabinet", "invoice", "waiting-list offer"])
def test_lang_in_a_link_chooses_the_language_of_a_public_page(client, public_pages, name):
    """A link we send may carry `?lang=` (core.middleware.LanguageLinkMiddleware): it wins
    over a cookie of the other language and becomes the choice for the next pages."""
    client.cookies["django_language"] = "uk"
    response = client.get(f"{public_pages[name]}?lang=en")
    assert '<html lang="en">' in response.content.decode()
    assert response.cookies["django_language"].value == "en"
    booking = client.get(public_pages["book"]).content.decode()
    assert '<html lang="en">' in booking
    # an unknown language changes nothing
    client.cookies["django_language"] = "uk"
    response = client.get(f"{public_pages[name]}?lang=de")
    assert '<html lang="uk">' in response.content.decode()
    assert "django_language" not in response.cookies
