"""Staff pages: the visit card's checkout panel, the unpaid visits page and dashboard card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SYSTEM, make_branch, make_staff
from tests.factories_payments import make_account
from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.catalog.services import subject_create
from zapys.checkout.models import Checkout
from zapys.ledger.models import Entry
from zapys.schedule.models import Attendance, Visit
from zapys.schedule.services import lesson_create

pytestmark = pytest.mark.usefixtures("midday")  # visits hours from now stay today

HTMX = {"HX-Request": "true"}


def test_panel_shows_due_and_one_click_pays(staff_client, visit):
    url = f"/visits/{visit.pk}/checkout/"
    page = staff_client.get(url, headers=HTMX)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="checkout-due"' in html and "450,00" in html
    assert "45000" not in html  # money as money, never kopecks
    paid = staff_client.post(url, {"client_id": visit.client_id, "action": "card"}, headers=HTMX)
    assert paid.status_code == 200
    assert 'data-testid="checkout-paid"' in paid.content.decode()
    row = Checkout.objects.get()
    assert (row.status, row.paid_card) == ("settled", 45_000)


def test_the_panel_opened_as_a_page_is_the_visit_card(staff_client, visit):
    """A copied address or a new tab gets the styled card with the panel inside, not the
    bare fragment; nothing is paid by looking."""
    response = staff_client.get(f"/visits/{visit.pk}/checkout/")
    assert response.status_code == 302
    assert response["Location"] == f"/visits/{visit.pk}/"
    page = staff_client.get(response["Location"]).content.decode()
    assert "<html" in page and f'hx-get="/visits/{visit.pk}/checkout/"' in page
    assert not Checkout.objects.exists()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("uk", "Закрито: 450,00\xa0грн списано з балансу клієнта."),
        ("en", "Closed: UAH\xa0450.00 charged to the client&#x27;s balance."),
    ],
)
def test_a_visit_the_balance_pays_is_closed_with_what_paid_it(
    staff_client, owner, visit, language, said
):
    """It said "Paid: 0,00 грн", as if the visit were free."""
    from zapys.ledger.services import entry_create

    owner.language = language
    owner.save(update_fields=["language"])
    entry_create(client=visit.client, kind="debit", amount=50_000, purpose="top_up", actor=SYSTEM)
    url = f"/visits/{visit.pk}/checkout/"
    closed = staff_client.post(
        url, {"client_id": visit.client_id, "action": "settle"}, headers=HTMX
    )
    html = closed.content.decode()
    assert said in html
    assert "Оплачено: 0,00" not in html and "Paid: UAH\xa00.00" not in html
    row = Checkout.objects.get()
    assert (row.status, row.covered_balance, row.paid_total) == ("settled", 45_000, 0)


def test_a_payment_refreshes_the_rest_of_the_card(staff_client, visit):
    """The click marked the client arrived and moved the status: the panel's answer asks
    for the card again, which shows the new status, the attendance and the message."""
    url = f"/visits/{visit.pk}/checkout/"
    page = staff_client.get(url, headers=HTMX).content.decode()
    assert 'data-testid="checkout-card-refresh"' not in page  # a plain look changes nothing
    paid = staff_client.post(url, {"client_id": visit.client_id, "action": "card"}, headers=HTMX)
    html = paid.content.decode()
    assert 'data-testid="checkout-card-refresh"' in html
    assert f'hx-get="/visits/{visit.pk}/"' in html and 'hx-target="#modal-content"' in html
    card = staff_client.get(f"/visits/{visit.pk}/", headers=HTMX).content.decode()
    assert "Оплачено: 450,00" in card.split('data-testid="visit-message"')[1][:200]
    status = card.split('data-testid="visit-status"')[1][:80]
    assert "Відвідано" in status, status  # the status moved: the client arrived
    again = staff_client.post(url, {"client_id": visit.client_id, "action": "card"}, headers=HTMX)
    assert 'data-testid="checkout-card-refresh"' not in again.content.decode()  # 409: no change


def test_split_that_does_not_add_up_is_a_form_error_and_writes_nothing(staff_client, visit):
    url = f"/visits/{visit.pk}/checkout/"
    response = staff_client.post(
        url,
        {"client_id": visit.client_id, "action": "split", f"p{visit.client_id}-cash": "100"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="form-errors"' in html
    assert not Entry.objects.exists() and not Checkout.objects.exists()
    bad = staff_client.post(
        url,
        {"client_id": visit.client_id, "action": "split", f"p{visit.client_id}-card": "abc"},
        headers=HTMX,
    )
    assert "invalid-feedback" in bad.content.decode()
    assert not Entry.objects.exists()
    ok = staff_client.post(
        url,
        {
            "client_id": visit.client_id,
            "action": "split",
            f"p{visit.client_id}-cash": "200",
            f"p{visit.client_id}-card": "250",
        },
    )
    assert ok.status_code == 302  # without htmx: back to the visit page
    row = Checkout.objects.get()
    assert (row.paid_cash, row.paid_card) == (20_000, 25_000)


def test_a_settled_visit_says_so(staff_client, visit):
    url = f"/visits/{visit.pk}/checkout/"
    staff_client.post(url, {"client_id": visit.client_id, "action": "cash"}, headers=HTMX)
    again = staff_client.post(url, {"client_id": visit.client_id, "action": "cash"}, headers=HTMX)
    html = again.content.decode()
    assert 'data-testid="checkout-paid"' in html and 'data-testid="checkout-cash"' not in html
    assert Checkout.objects.count() == 1


def test_panel_queries_do_not_grow_with_participants(staff_client, org, branch):
    staff = make_staff(org, "specialist", branches=[branch])
    subject = subject_create(organization=org, name="Yoga", actor=SYSTEM)
    counts = []
    for n, hours in ((1, 2), (6, 4)):
        (lesson,) = lesson_create(
            organization=org,
            branch=branch,
            staff=staff,
            subject=subject,
            starts_at=timezone.now() - timedelta(hours=hours),
            duration_minutes=60,
            capacity=10,
            price=20_000,
            client_ids=[make_client(org).pk for _ in range(n)],
            actor=SYSTEM,
        )
        with CaptureQueriesContext(connection) as ctx:
            page = staff_client.get(f"/visits/{lesson.pk}/checkout/", headers=HTMX)
        assert page.content.decode().count('data-testid="checkout-row"') == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_unpaid_page_and_dashboard_card_follow_the_branch(staff_client, org, branch, visit):
    Attendance.objects.filter(visit=visit).update(state="attended")
    other = make_branch(org, "Other")
    elsewhere = make_visit(
        org,
        other,
        client=make_client(org),
        service=make_service(org, price=10_000),
        starts_at=timezone.now() - timedelta(minutes=40),
    )
    assert elsewhere.branch_id == other.pk
    page = staff_client.get(f"/checkout/unpaid/?branch={branch.pk}")
    html = page.content.decode()
    assert html.count('data-testid="unpaid-row"') == 1 and visit.client.name in html
    dashboard = staff_client.get(f"/?branch={branch.pk}").content.decode()
    assert "/checkout/unpaid/" in dashboard
    staff_client.post(
        f"/visits/{visit.pk}/checkout/", {"client_id": visit.client_id, "action": "card"}
    )
    page = staff_client.get(f"/checkout/unpaid/?branch={branch.pk}")
    assert 'data-testid="unpaid-row"' not in page.content.decode()
    assert "/checkout/unpaid/" not in staff_client.get(f"/?branch={branch.pk}").content.decode()


def _unpaid_visit(org, branch, minutes_ago=30):
    return make_visit(
        org,
        branch,
        client=make_client(org),
        service=make_service(org, price=45_000),
        starts_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_unpaid_list_shows_the_amount_due_not_the_price(staff_client, org, branch):
    """Price 450: a prepayment of 200 leaves 250 due; a balance of 100 leaves 350; a client
    with two visits spends the balance once. The page and the card add up what is due."""
    from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type
    from zapys.ledger.services import entry_create
    from zapys.payments.services import payment_succeed

    enable_prepayment(org)
    make_account(org, "sandbox")
    visit = make_visit(org, branch, client=make_client(org), service=make_service(org, 45_000))
    booking = make_booking(
        org, branch, visit=visit, booking_type=make_booking_type(org, "fixed", 20_000)
    )
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    # prepaid in advance, then the day came: it started half an hour ago
    started = timezone.now() - timedelta(minutes=30)
    Visit.objects.filter(pk=visit.pk).update(
        starts_at=started, ends_at=started + timedelta(hours=1)
    )
    topped = _unpaid_visit(org, branch, minutes_ago=20)
    entry_create(client=topped.client, kind="debit", amount=10_000, purpose="top_up", actor=SYSTEM)
    make_visit(  # the same client again later: the 100 is spent on the first visit
        org,
        branch,
        client=topped.client,
        service=make_service(org, price=45_000),
        starts_at=timezone.now() - timedelta(minutes=10),
    )
    Attendance.objects.all().update(state="attended")
    html = staff_client.get(f"/checkout/unpaid/?branch={branch.pk}").content.decode()
    assert html.count('data-testid="unpaid-row"') == 3
    dues = html.split('data-testid="unpaid-due"')[1:]
    assert "250,00" in dues[0] and "350,00" in dues[1] and "450,00" in dues[2]
    total = html.split('data-testid="unpaid-total"')[1][:80]
    assert "1" in total and "050,00" in total  # 250 + 350 + 450
    assert "45000" not in html and "25000" not in html
    dashboard = staff_client.get(f"/?branch={branch.pk}").content.decode()
    assert "050,00" in dashboard.split("/checkout/unpaid/")[1][:2000]


def test_unpaid_list_constant_queries(staff_client, org, branch):
    """The day's visits of one service: the same queries for 2 rows and for 6 (the
    memberships are read once per distinct service of the day, not per row)."""
    service = make_service(org, price=45_000)
    counts = []
    for n in (2, 6):
        while Attendance.objects.filter(charge=Attendance.Charge.NONE).count() < n:
            make_visit(
                org,
                branch,
                client=make_client(org),
                service=service,
                starts_at=timezone.now() - timedelta(minutes=5 + Attendance.objects.count()),
            )
        with CaptureQueriesContext(connection) as ctx:
            page = staff_client.get(f"/checkout/unpaid/?branch={branch.pk}")
        assert page.content.decode().count('data-testid="unpaid-row"') == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_refunded_link_shows_due_again_on_the_card_and_the_unpaid_list(
    staff_client, org, branch, visit
):
    from zapys.checkout.services import PaymentIn, visit_checkout
    from zapys.payments.models import PaymentRefund
    from zapys.payments.services import payment_succeed
    from zapys.payments.services.refunds import _refund_confirm

    link = visit_checkout(visit=visit, payments=[PaymentIn("online_link", 45_000)], actor=SYSTEM)
    payment = link.checkout.payment
    payment_succeed(payment=payment, actor=SYSTEM)
    payment.refresh_from_db()
    refund = PaymentRefund.objects.create(
        organization=org, payment=payment, amount=45_000, created_by="test"
    )
    _refund_confirm(payment=payment, refund=refund, actor=SYSTEM, via_callback=True)
    panel = staff_client.get(f"/visits/{visit.pk}/checkout/", headers=HTMX).content.decode()
    assert "Повернено: 450,00" in panel and "знову до сплати" in panel
    assert "450,00" in panel.split('data-testid="checkout-due"')[1][:60]
    assert 'data-testid="checkout-card"' in panel  # staff can take it again
    unpaid = staff_client.get(f"/checkout/unpaid/?branch={branch.pk}").content.decode()
    assert unpaid.count('data-testid="unpaid-row"') == 1
    assert "450,00" in unpaid.split('data-testid="unpaid-due"')[1][:300]
    paid = staff_client.post(
        f"/visits/{visit.pk}/checkout/", {"client_id": visit.client_id, "action": "card"}
    )
    assert paid.status_code == 302
    unpaid = staff_client.get(f"/checkout/unpaid/?branch={branch.pk}").content.decode()
    assert 'data-testid="unpaid-row"' not in unpaid
