"""The fiscal API (API.md "Fiscal receipts")."""

from __future__ import annotations

from tests.factories import make_branch
from zapys.core.tenancy import org_scope
from zapys.fiscal.models import CashRegister, FiscalReceipt
from zapys.fiscal.tests.factories import make_register, paid_topup


def test_register_created_and_secrets_never_returned(api, org, branch):
    created = api.post(
        "/cash-registers",
        {"branch_id": branch.pk, "provider": "checkbox", "license_key": "LIC-XYZ-123",
         "cashier_login": "ann", "cashier_password": "pw-secret"},
    )  # fmt: skip
    assert created.status == 201, created.body
    assert set(created.body) == {"id", "branch_id", "provider"}
    register = CashRegister.objects.get()
    assert register.credentials["password"] == "pw-secret"
    assert "pw-secret" not in register.credentials_encrypted
    listed = api.get("/cash-registers").body
    assert "pw-secret" not in str(listed) and "LIC-XYZ-123" not in str(listed)


def test_register_needs_a_cashier(api, org, branch):
    response = api.post("/cash-registers", {"branch_id": branch.pk, "license_key": "LIC"})
    assert response.status == 400
    assert not CashRegister.objects.exists()


def test_register_for_foreign_branch_refused(api, org, other_org):
    with org_scope(other_org):
        foreign = make_branch(other_org, "B")
    response = api.post(
        "/cash-registers", {"branch_id": foreign.pk, "license_key": "L", "cashier_pin": "1"}
    )
    assert response.status == 404
    assert not CashRegister.objects.for_org(other_org).exists()
    assert not CashRegister.objects.exists()


def test_receipts_listed_filtered_and_retried(api, org, branch, sim):
    make_register(org, branch, sim.base_url)
    payment = paid_topup(org, 12_300)
    receipt = FiscalReceipt.objects.get()
    listed = api.get("/fiscal-receipts", payment_id=payment.pk).body
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["kind"], item["amount"], item["status"]) == ("sell", 12_300, "pending")
    assert api.get("/fiscal-receipts", status="error").body["count"] == 0
    refused = api.post(f"/fiscal-receipts/{receipt.pk}/retry", {})
    assert refused.status == 409  # only a failed receipt is sent again
    FiscalReceipt.objects.filter(pk=receipt.pk).update(status="error", error="x", attempts=3)
    retried = api.post(f"/fiscal-receipts/{receipt.pk}/retry", {})
    assert retried.status == 200 and retried.body["status"] == "pending"
    receipt.refresh_from_db()
    assert receipt.attempts == 0 and receipt.uuid == FiscalReceipt.objects.get().uuid
