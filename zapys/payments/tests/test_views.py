"""Staff pages: payment accounts, online payments list and detail."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import SYSTEM
from tests.factories_payments import make_account, make_topup
from zapys.payments.models import PaymentAccount
from zapys.payments.services import payment_succeed


def test_accounts_page_adds_and_masks(staff_client, org):
    url = reverse("payments:accounts")
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "provider": "wayforpay",
            "name": "WFP",
            "merchant_account": "m1",
            "secret_key": "s3cr3t-key",
        },
    )
    assert response.status_code == 200  # missing merchant_domain: form shown again
    assert not PaymentAccount.objects.exists()
    response = staff_client.post(
        url,
        {
            "provider": "wayforpay",
            "name": "WFP",
            "merchant_account": "m1",
            "secret_key": "s3cr3t-key",
            "merchant_domain": "a.example",
        },
    )
    assert response.status_code == 302
    account = PaymentAccount.objects.get()
    edit = staff_client.get(reverse("payments:account_edit", args=[account.pk])).content.decode()
    assert "s3cr3t-key" not in edit and "••••••••-key" in edit
    # Saving with an empty secret keeps the stored one.
    staff_client.post(
        reverse("payments:account_edit", args=[account.pk]),
        {"name": "WFP 2", "merchant_account": "m1", "merchant_domain": "b.example"},
    )
    account.refresh_from_db()
    assert account.name == "WFP 2" and account.credentials["secret_key"] == "s3cr3t-key"
    assert account.credentials["merchant_domain"] == "b.example"
    staff_client.post(reverse("payments:account_toggle", args=[account.pk]))
    account.refresh_from_db()
    assert not account.is_active and not account.is_default


def test_list_detail_and_refund(staff_client, org, branch, django_assert_max_num_queries):
    account = make_account(org, "sandbox")
    payments = [make_topup(org, account=account) for _ in range(3)]
    payment_succeed(payment=payments[0], actor=SYSTEM)
    with django_assert_max_num_queries(15):
        page = staff_client.get(reverse("payments:list"), {"status": "succeeded"})
    assert page.status_code == 200
    assert f'data-testid="status-{payments[0].pk}"' in page.content.decode()
    assert f'data-testid="status-{payments[1].pk}"' not in page.content.decode()
    detail = staff_client.get(reverse("payments:detail", args=[payments[0].pk]))
    assert detail.status_code == 200 and 'data-testid="refund"' in detail.content.decode()
    # Over the paid amount: a field error, nothing refunded.
    over = staff_client.post(reverse("payments:detail", args=[payments[0].pk]), {"amount": "9999"})
    assert over.status_code == 200
    payments[0].refresh_from_db()
    assert payments[0].refunded_amount == 0
