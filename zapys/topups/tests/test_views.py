"""The staff page "Top-up link" (the client card's action)."""

from __future__ import annotations

from django.urls import reverse

from tests.factories_payments import make_account, make_client
from zapys.payments.models import Payment


def test_client_topup_page_creates_link(staff_client, org):
    make_account(org, "sandbox")
    client = make_client(org)
    url = reverse("topups:client_topup", kwargs={"client_id": client.pk})
    assert staff_client.get(url).status_code == 200
    bad = staff_client.post(url, {"amount": "abc"})
    assert "is-invalid" in bad.content.decode() and not Payment.objects.exists()
    page = staff_client.post(url, {"amount": "150,50"}).content.decode()
    payment = Payment.objects.get()
    assert payment.amount == 15050 and payment.token in page


def test_recent_top_ups_are_named_by_their_date_not_a_number(
    staff_client, owner, org, django_assert_max_num_queries
):
    """«№47 · 05.12.2026 09:44» read like a code: the list is this client's top-ups, so each is
    its date in words («5 грудня 2026, 09:44») with its amount and status."""
    import re

    from tests.factories_payments import make_topup

    account = make_account(org, "sandbox")
    client = make_client(org)
    payments = [make_topup(org, account=account, client=client) for _ in range(3)]
    owner.language = "uk"
    owner.save(update_fields=["language"])
    url = reverse("topups:client_topup", kwargs={"client_id": client.pk})
    staff_client.get(url)
    with django_assert_max_num_queries(14):
        page = staff_client.get(url).content.decode()
    items = re.findall(r'data-testid="recent-topup">([^<]*)<', page)
    assert len(items) == 3
    for text in items:
        assert re.fullmatch(r"\d{1,2} [а-яі]+ \d{4}, \d\d:\d\d", text), text
    for payment in payments:
        assert f"№{payment.pk}" not in page
