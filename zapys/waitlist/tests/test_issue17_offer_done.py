"""Issue 17: the waiting-list offer page after booking is not a dead end — it says when it
was paid and for whom, gives the salon's phone.

It does not link the client's cabinet: a payment link is forwarded (a relative or a company
pays), and whoever holds it must not reach the client's balance and visits through it."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from zapys.core.audit import Actor
from zapys.payments.services import payment_succeed
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Offer

SYSTEM = Actor.system("tests")


@pytest.mark.parametrize(
    ("language", "paid_on", "client_word", "my_page"),
    [
        ("en", "Paid on %(when)s", "Client: ", "My page: balance, visits and receipts"),
        ("uk", "Paid on %(when)s", "Клієнт: ", "Моя сторінка: баланс, візити та чеки"),
    ],
)
def test_a_booked_offer_says_when_for_whom_whom_to_call_but_not_the_cabinet(
    org, salon, booked_slot, make_client, client, django_capture_on_commit_callbacks,
    language, paid_on, client_word, my_page,
):  # fmt: skip
    from django.utils import timezone

    org.phone = "+380441110000"
    org.save(update_fields=["phone"])
    day = timezone.localtime(booked_slot.starts_at).date()
    waiting = make_client("Паща Олена")
    services.entry_create(
        organization=org, client=waiting, actor=SYSTEM,
        service=salon[1], date_from=day, date_to=day,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    offer = Offer.objects.get()
    client.cookies["django_language"] = language
    html = client.get(f"/w/{offer.token}/").content.decode()
    assert 'data-testid="offer-done"' not in html  # still open: no done block, no link
    assert f"/c/{waiting.cabinet_token}/" not in html

    payment_succeed(payment=services.offer_payment(offer=offer, actor=SYSTEM), actor=SYSTEM)
    html = client.get(f"/w/{offer.token}/").content.decode()
    done = html.split('data-testid="offer-done"')[1]
    # the words are the payment page's (its catalogue's: «Оплачено …»), not this test's copy
    with translation.override(language):
        paid_on = gettext(paid_on).split("%(when)s")[0]
    assert paid_on.strip() and paid_on in done and f"{client_word}Паща Олена" in done
    contacts = html.split('data-testid="business-contacts"')[1]
    assert 'href="tel:' in contacts
    assert my_page not in html and f"/c/{waiting.cabinet_token}/" not in html
