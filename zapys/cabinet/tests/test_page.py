"""The client's cabinet page (K1): what it shows, whom it shows, and what it costs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import SYSTEM, make_staff
from tests.factories_ledger import make_entry, make_membership, make_plan
from tests.factories_payments import make_account
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_service,
    make_visit,
)
from zapys.clients.services import client_cabinet_link_regenerate, client_delete
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.invoices.services import invoice_create
from zapys.schedule.models import Attendance
from zapys.schedule.services import attendance_mark


def _page(client, token: str, query: str = "", lang: str = "en") -> str:
    client.cookies["django_language"] = lang
    response = client.get(f"/c/{token}/{query}")
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "no-store"
    return response.content.decode()


def test_the_page_says_the_balance_in_plain_words(org, client):
    customer = make_client(org, "Шевчук Марія")
    make_entry(customer, kind="debit", amount=150_000)  # paid 1 500
    make_entry(customer, kind="credit", amount=40_000, purpose="service")  # charged 400
    html = _page(client, customer.cabinet_token)
    assert "Шевчук Марія" in html
    assert "On your balance" in html and "1,100.00" in html
    assert "Total added to the balance" in html and "1,500.00" in html
    assert "Total taken from the balance" in html and "400.00" in html
    for word in ("debit", "Debit", "credit", "Credit", "110000", "150000"):
        assert word not in html.replace('data-testid="', "")

    make_entry(customer, kind="credit", amount=200_000, purpose="service")
    html = _page(client, customer.cabinet_token, lang="uk")
    assert "Ви винні" in html and "900,00" in html  # the debt, without a minus sign


def test_payments_and_charges_say_what_each_line_is(org, client):
    """An opening balance is not "You paid" (the client did not pay it now); a fee is the
    payment service's commission, as on the receipt; the totals do not claim to be only
    payments and only services (they include the opening balance, memberships, fees)."""
    customer = make_client(org)
    make_entry(customer, kind="debit", amount=50_000, purpose="opening_balance")
    make_entry(customer, kind="credit", amount=7_500, purpose="service_fee")
    for language, carried, fee, totals in (
        ("en", "Balance carried over", "Payment service commission", ("Total added to the balance", "Total taken from the balance")),
        ("uk", "Перенесений залишок", "Комісія платіжного сервісу", ("Усього внесено на баланс", "Усього списано з балансу")),
    ):  # fmt: skip
        html = _page(client, customer.cabinet_token, lang=language)
        entries = html.split('data-testid="money"')[1].split("</section>")[0]
        assert carried in entries and fee in entries, language
        for wrong in ("You paid", "Ви сплатили", "Opening balance", "Fee", "Комісія ·"):
            assert wrong not in entries, (language, wrong)
        assert all(total in html for total in totals), language
        assert "Charged for services" not in html and "Нараховано за послуги" not in html


@pytest.mark.parametrize(
    ("language", "attended", "absent"),
    [("en", "Attended", "No-show"), ("uk", "Відвідано", "Неявка")],
)
def test_past_visits_say_attended_and_no_show_as_staff_pages_do(
    org, client, branch, language, attended, absent
):
    customer = make_client(org)
    staff = make_staff(org, "specialist", branches=[branch])
    service = make_service(org)
    for days, state in ((3, "attended"), (5, "absent")):
        visit = make_visit(
            org, branch, client=customer, staff=staff, service=service,
            starts_at=timezone.now() - timedelta(days=days),
        )  # fmt: skip
        attendance_mark(
            attendance=Attendance.objects.get(visit=visit, client=customer),
            state=state,
            actor=SYSTEM,
        )
    html = _page(client, customer.cabinet_token, lang=language)
    marks = [part.split("<")[0] for part in html.split('data-testid="attendance">')[1:]]
    assert marks == [attended, absent]
    assert "Did not come" not in html and "Пропущено" not in html


def test_visits_memberships_and_what_to_pay(org, client, branch):
    enable_prepayment(org)
    customer = make_client(org)
    staff = make_staff(org, "specialist", branches=[branch])
    service = make_service(org)
    past = make_visit(
        org, branch, client=customer, staff=staff, service=service,
        starts_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    attendance_mark(
        attendance=Attendance.objects.get(visit=past, client=customer),
        state="attended",
        actor=SYSTEM,
    )
    upcoming = make_visit(org, branch, client=customer, staff=staff, service=service)
    booking = make_booking(org, branch, visit=upcoming, booking_type=make_booking_type(org))
    make_membership(customer, starts_on=timezone.localdate() - timedelta(days=1))
    invoice = invoice_create(
        client=customer, calculation="manual", amount=70_000, actor=SYSTEM, comment="December"
    )
    html = _page(client, customer.cabinet_token)
    assert html.count('data-testid="upcoming-visit"') == 1 and service.name in html
    assert html.count('data-testid="past-visit"') == 1 and "Attended" in html
    assert html.count('data-testid="membership"') == 1 and "8 visits left" in html
    assert 'data-testid="membership-groups"' not in html  # valid in every group
    assert html.count('data-testid="payable"') == 2
    assert booking.payment_url.removeprefix("http://testserver") in html
    assert invoice.url in html and "700.00" in html and "200.00" in html
    # the title's column is not squeezed by the amount and the button on a phone
    assert 'data-testid="payable-title"' in html and "min-width: 14rem" in html


def test_each_charge_names_what_was_sold_but_never_a_staff_comment(org, client, branch):
    """A charge the system wrote for a visit says the service ("Taken from the balance ·
    Манікюр"), not
    "Service delivered"; a comment staff typed on a manual charge stays internal."""
    customer = make_client(org)
    staff = make_staff(org, "specialist", branches=[branch])
    service = make_service(org)
    service.name = "Манікюр класичний"
    service.save(update_fields=["name"])
    make_entry(customer, kind="debit", amount=200_000)  # arriving charges what the balance covers
    past = make_visit(
        org, branch, client=customer, staff=staff, service=service,
        starts_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    attendance_mark(
        attendance=Attendance.objects.get(visit=past, client=customer),
        state="attended",
        actor=SYSTEM,
    )
    make_entry(
        customer, kind="credit", amount=5_000, purpose="service", comment="забула про знижку"
    )
    html = _page(client, customer.cabinet_token)
    entries = html.split('data-testid="money"')[1].split("</section>")[0]
    assert "Taken from the balance · Манікюр класичний" in entries
    assert "Taken from the balance · Service delivered" in entries  # the manual one: its purpose
    assert "забула" not in html


def test_a_membership_limited_to_groups_names_them(org, client):
    """The groups an online sale's attach limits a membership to (ClientMembership.groups)
    are shown in the cabinet's memberships block, as on the client card."""
    from zapys.catalog.models import Group

    customer = make_client(org)
    membership = make_membership(customer, starts_on=timezone.localdate())
    salsa = Group.objects.create(organization=org, name="Сальса", capacity=10)
    bachata = Group.objects.create(organization=org, name="Бачата", capacity=10)
    membership.groups.set([salsa, bachata])
    html = _page(client, customer.cabinet_token)
    line = html.split('data-testid="membership-groups">')[1].split("</div>")[0]
    assert "Only for the groups" in line and "Сальса" in line and "Бачата" in line
    html = _page(client, customer.cabinet_token, lang="uk")
    assert "Лише для груп" in html


def test_a_booked_visit_links_to_its_cancel_page_once_the_policy_offers_one(org, client, branch):
    """The cancellation policy's client page (`prepayments:client_cancel`, by URL name) for
    visits with a live booking; a visit without a booking has no link. Where the page is
    not installed, no visit has one."""
    from zapys.cabinet.selectors import client_cancel_offered

    enable_prepayment(org)
    customer = make_client(org)
    staff = make_staff(org, "specialist", branches=[branch])
    booked = make_visit(org, branch, client=customer, staff=staff)
    booking = make_booking(org, branch, visit=booked, booking_type=make_booking_type(org))
    make_visit(org, branch, client=customer, staff=staff)  # no booking
    html = _page(client, customer.cabinet_token)
    assert html.count('data-testid="upcoming-visit"') == 2
    if client_cancel_offered():
        assert html.count('data-testid="cancel-visit"') == 1
        assert f'href="/p/{booking.token}/cancel/"' in html
        assert client.get(f"/p/{booking.token}/cancel/").status_code == 200
    else:
        assert 'data-testid="cancel-visit"' not in html


def test_an_old_link_after_regeneration_is_the_404_page(org, client):
    customer = make_client(org)
    old = customer.cabinet_token
    _page(client, old)
    client_cabinet_link_regenerate(client=customer, actor=SYSTEM)
    assert customer.cabinet_token != old
    response = client.get(f"/c/{old}/")
    assert response.status_code == 404
    assert customer.name not in response.content.decode()
    _page(client, customer.cabinet_token)
    row = AuditLog.objects.get(action="client.cabinet_link")
    assert row.object_id == str(customer.pk) and old not in str(row.changes)


def test_receipts_with_the_fiscal_receipts_link(org, branch, client):
    """The sale's receipt and its fiscal receipt's page (through ledger.receipt_links:
    fiscal is the cabinet's peer); a receipt not yet done at the tax service is not linked."""
    from zapys.fiscal.models import FiscalReceipt
    from zapys.fiscal.tests.factories import make_register, paid_topup

    make_register(org, branch, "http://127.0.0.1:9")  # never called: nothing is sent here
    payment = paid_topup(org, amount=42_000)
    html = _page(client, payment.client.cabinet_token)
    assert html.count('data-testid="receipt"') == 1 and "Balance top-up" in html
    assert 'data-testid="fiscal-receipt"' not in html  # pending at the tax service
    FiscalReceipt.objects.filter(client=payment.client).update(
        status="done", fiscal_code="FX-77", check_url="https://check.example/r/77"
    )
    html = _page(client, payment.client.cabinet_token)
    assert html.count('data-testid="fiscal-receipt"') == 1
    assert "Fiscal receipt #FX-77, sale" in html and 'href="https://check.example/r/77"' in html
    assert "420.00" in html


@pytest.mark.parametrize("token", ["x" * 32, "short", "A" * 129, "bad%00token"])
def test_unknown_tokens_are_the_404_page(db, client, token):
    assert client.get(f"/c/{token}/").status_code == 404


def test_a_deleted_clients_link_is_the_404_page(org, client, owner):
    customer = make_client(org)
    client_delete(client=customer, actor=SYSTEM.__class__.staff(owner))
    assert client.get(f"/c/{customer.cabinet_token}/").status_code == 404


def test_guessing_tokens_is_rate_limited(db, client, settings):
    settings.ZAPYS_TOKEN_MISSES_PER_MINUTE = 3
    for n in range(3):
        assert client.get(f"/c/wrong{n}/").status_code == 404
    assert client.get("/c/wrong9/").status_code == 429


def test_a_family_sees_each_card_and_nobody_else(org, other_org, client):
    parent = make_client(org, "Коваль Ірина", phone="+380501112233")
    child = make_client(org, "Коваль Данило", phone="+380501112233")
    stranger = make_client(org, "Чужий Клієнт", phone="+380509998877")
    make_entry(child, kind="debit", amount=33_300)
    with org_scope(other_org):
        foreign = make_client(other_org, "Інша Організація", phone="+380501112233")
    html = _page(client, parent.cabinet_token)
    assert html.count('data-testid="family-card"') == 2
    assert "Коваль Данило" in html and "Чужий Клієнт" not in html
    assert "Інша Організація" not in html
    child_html = _page(client, parent.cabinet_token, f"?card={child.pk}")
    assert f'data-client="{child.pk}"' in child_html and "333.00" in child_html
    for other in (stranger.pk, foreign.pk, "x", 10**12):
        assert client.get(f"/c/{parent.cabinet_token}/?card={other}").status_code == 404
    # The child's own link sees the parent too (one phone), never the stranger.
    assert "Коваль Ірина" in _page(client, child.cabinet_token)


def test_a_payer_sees_the_cards_of_whom_they_pay_for(org, client):
    """X6: a parent on another phone who pays for the child; the child's link does not see
    the parent's card."""
    from zapys.invoices.services import client_payer_set

    parent = make_client(org, "Мельник Ольга", phone="+380631234567")
    child = make_client(org, "Мельник Тарас", phone="+380509990000")
    client_payer_set(client=child, payer=parent, actor=SYSTEM)
    html = _page(client, parent.cabinet_token)
    assert html.count('data-testid="family-card"') == 2 and "Мельник Тарас" in html
    assert f'data-client="{child.pk}"' in _page(client, parent.cabinet_token, f"?card={child.pk}")
    child_html = _page(client, child.cabinet_token)
    assert "Мельник Ольга" not in child_html and 'data-testid="family"' not in child_html
    assert client.get(f"/c/{child.cabinet_token}/?card={parent.pk}").status_code == 404


def test_messenger_buttons_only_with_a_bot_and_bound_to_the_card(org, client):
    """ "Connect Telegram / Viber": deep links with a one-time binding token of the card's
    client (messaging.services.binding); no bot account, no buttons."""
    import re
    from urllib.parse import unquote

    from tests.factories_messaging import make_transport_account
    from zapys.messaging.services.binding import binding_read

    parent = make_client(org, phone="+380501112299")
    child = make_client(org, phone="+380501112299")
    assert 'data-testid="messengers"' not in _page(client, parent.cabinet_token)
    make_transport_account(org, "telegram", "telegram", {"token": "1:abc", "username": "salon_bot"})
    make_transport_account(
        org, "viber", "viber", {"token": "v", "sender_name": "Salon", "uri": "salonbot"}
    )
    html = _page(client, parent.cabinet_token, f"?card={child.pk}")
    telegram = re.search(r'href="https://t\.me/salon_bot\?start=([^"]+)"', html)
    viber = re.search(r'href="viber://pa\?chatURI=salonbot&amp;context=([^"]+)"', html)
    assert telegram and viber
    for token in (telegram.group(1), unquote(viber.group(1))):
        binding = binding_read(token)
        assert binding is not None
        assert (binding.kind, binding.organization_id, binding.subject_id) == (
            "client",
            org.pk,
            child.pk,
        )


def test_the_language_switch(org, client):
    customer = make_client(org)
    client.cookies["django_language"] = "uk"
    response = client.get(f"/c/{customer.cabinet_token}/?lang=en")
    assert "Upcoming visits" in response.content.decode()
    assert response.cookies["django_language"].value == "en"
    html = _page(client, customer.cabinet_token, lang="uk")
    assert "Майбутні візити" in html and "Upcoming visits" not in html


# --------------------------------------------------------------------------- query count


def _history(org, branch, customer, size: int) -> None:
    staff = make_staff(org, "specialist", branches=[branch])
    service = make_service(org)
    plan = make_plan(org, covers_everything=False, services=[make_service(org)])
    base = timezone.now() - timedelta(days=size + 2)
    for n in range(size):
        visit = make_visit(
            org, branch, client=customer, staff=staff, service=service,
            starts_at=base + timedelta(days=n),
        )  # fmt: skip
        attendance_mark(
            attendance=Attendance.objects.get(visit=visit, client=customer),
            state="attended" if n % 2 else "absent",
            actor=SYSTEM,
        )
        make_visit(
            org, branch, client=customer, staff=staff, service=service,
            starts_at=timezone.now() + timedelta(days=n + 1),
        )  # fmt: skip
        make_entry(customer, kind="debit", amount=1_000 + n)
        # of another service: a membership covering the booked visit would refuse its booking
        make_membership(customer, plan, starts_on=date.today())
        invoice_create(client=customer, calculation="manual", amount=5_000 + n, actor=SYSTEM)
    make_booking(
        org, branch,
        # hours away from the daily visits above: the factory's default start steps by 90
        # minutes per visit made in the process, and met one of them in some test orders
        visit=make_visit(
            org, branch, client=customer, staff=staff, service=service,
            starts_at=timezone.now() + timedelta(days=1, hours=4),
        ),
        booking_type=make_booking_type(org),
    )  # fmt: skip


@pytest.mark.parametrize("size", [1, 25])
def test_the_page_costs_the_same_queries_whatever_the_history(
    org, branch, client, django_assert_num_queries, size
):
    """token limit (1) + the client (1) + the family (1) + balance totals (1) + upcoming (1)
    + past (1) + entries (1) + memberships and their groups (2) + receipts and their lines (2) + fiscal
    receipts (1) + payables: bookings (1), invoices (1) + the messenger accounts (1); and the
    upcoming visits' bookings (1) where the cancellation policy's client page exists."""
    from zapys.cabinet.selectors import client_cancel_offered

    enable_prepayment(org)
    make_account(org, "sandbox")
    customer = make_client(org)
    make_client(org, phone=customer.phone)  # a family of two
    _history(org, branch, customer, size)
    client.cookies["django_language"] = "en"
    with django_assert_num_queries(PAGE_QUERIES + client_cancel_offered()):
        response = client.get(f"/c/{customer.cabinet_token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="past-visit"') == min(size, 15)
    assert html.count('data-testid="upcoming-visit"') == min(size + 1, 10)


PAGE_QUERIES = 15


def test_standard_receipt_line_names_in_the_pages_language(org, branch, client):
    """Lines stored in the organization's Ukrainian: the standard ones (a top-up, a
    prepayment of a typed service) read in English on the English page; typed names stay."""
    from django.utils import translation

    from zapys.ledger.services import sales_receipt_create

    org.language = "uk"
    org.save(update_fields=["language"])
    customer = make_client(org)
    with translation.override("uk"):
        topup = translation.gettext("Balance top-up")
        prepaid = translation.gettext("Prepayment: %(what)s") % {"what": "Манікюр"}
    assert topup != "Balance top-up" and prepaid.endswith(": Манікюр")  # stored in Ukrainian
    sales_receipt_create(
        organization=org,
        branch=branch,
        client=customer,
        lines=[(topup, 10_000), (prepaid, 20_000), ("Абонемент 8 занять", 30_000)],
        payments=[],
        actor=SYSTEM,
    )
    html = _page(client, customer.cabinet_token, lang="en")
    assert ">Balance top-up<" in html and ">Prepayment: Манікюр<" in html
    assert ">Абонемент 8 занять<" in html and topup not in html
    html = _page(client, customer.cabinet_token, lang="uk")
    assert f">{topup}<" in html and f">{prepaid}<" in html
