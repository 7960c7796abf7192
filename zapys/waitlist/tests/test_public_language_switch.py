"""Every public page has the same Українська · English switch (public_base.html, one
include), and choosing a language there shows the page in it: booking, prepayment, payment,
waiting-list offer, shop, shop purchase, invoice and cabinet. Before, only the shop, the
invoice and the cabinet had one (three copies), and only those three read `?lang=`."""

from __future__ import annotations

from decimal import Decimal

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
    start = html.rindex("<form", 0, html.index(SWITCH))
    return html[start : html.index("</form>", start)]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_every_public_page_has_the_one_switch_and_it_works(client, public_pages, language):
    other = "en" if language == "uk" else "uk"
    for name, url in public_pages.items():
        client.cookies["django_language"] = other
        chosen = client.post(
            "/i18n/setlang/", {"language": language, "next": url}, REMOTE_ADDR="10.0.0.7"
        )
        assert chosen.status_code == 302 and chosen["Location"] == url, name
        html = client.get(url).content.decode()
        assert html.count(SWITCH) == 1, name
        assert f'<html lang="{language}">' in html, name
        switch = _switch(html)
        assert 'action="/i18n/setlang/"' in switch and "csrfmiddlewaretoken" in switch, name
        assert f'name="next" value="{url}?"' in switch, name
        assert ">Українська<" in switch and ">English<" in switch, name
        # the page's language is the marked one
        assert (
            f'value="{language}" lang="{language}" class="btn btn-link btn-sm p-0 fw-semibold'
            in (" ".join(switch.split()))
        ), name


def test_the_switch_keeps_the_query_but_not_an_old_lang(client, public_pages):
    url = public_pages["cabinet"]
    html = client.get(f"{url}?from=sms&lang=en").content.decode()
    assert f'name="next" value="{url}?from=sms&amp;"' in _switch(html)
    # `?lang=` of the old links still works on the pages that took it
    assert '<html lang="en">' in html
