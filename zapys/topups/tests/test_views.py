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
