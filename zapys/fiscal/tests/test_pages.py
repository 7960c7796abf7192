"""Staff pages: Settings → Cash registers and Fiscal receipts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_branch
from zapys.core.tenancy import org_scope
from zapys.fiscal.models import CashRegister, FiscalReceipt
from zapys.fiscal.tests.factories import make_register, paid_topup


def test_register_saved_from_the_page_and_secrets_not_shown(staff_client, org, branch, sim):
    response = staff_client.post(
        "/settings/cash-registers/",
        {"branch": branch.pk, "license_key": "LIC-1", "cashier_login": "cashier",
         "cashier_password": "secret", "base_url": f"{sim.base_url}/api/v1",
         "close_shift_at": "21:30"},
    )  # fmt: skip
    assert response.status_code == 302
    register = CashRegister.objects.get()
    assert (
        register.credentials["password"] == "secret" and str(register.close_shift_at) == "21:30:00"
    )
    page = staff_client.get("/settings/cash-registers/").content.decode()
    assert "secret" not in page and "LIC-1" not in page and "Main" in page


def test_check_connection_says_ok_or_why_not(staff_client, org, branch, sim):
    register = make_register(org, branch, sim.base_url)
    page = staff_client.post(f"/settings/cash-registers/{register.pk}/check/", follow=True)
    assert "4000000001" in page.content.decode()
    bad = make_register(org, make_branch(org, "Second"), sim.base_url, license_key="WRONG")
    page = staff_client.post(f"/settings/cash-registers/{bad.pk}/check/", follow=True)
    assert "Невірний ключ ліцензії каси" in page.content.decode()


def test_foreign_register_and_receipt_are_404(staff_client, org, other_org, sim):
    with org_scope(other_org):
        foreign_branch = make_branch(other_org, "B")
        register = make_register(other_org, foreign_branch, sim.base_url)
    assert staff_client.post(f"/settings/cash-registers/{register.pk}/check/").status_code == 404
    assert staff_client.post("/fiscal-receipts/999999/retry/").status_code == 404
    assert sim.requests == []


def test_failed_receipts_listed_with_reason_and_retried(staff_client, org, branch, sim):
    make_register(org, branch, sim.base_url)
    for _ in range(2):
        paid_topup(org)
    FiscalReceipt.objects.update(status="error", error="ДПС: помилка підпису")
    with CaptureQueriesContext(connection) as two:
        page = staff_client.get("/fiscal-receipts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="failed-row"') == 2 and "ДПС: помилка підпису" in html
    for _ in range(3):
        paid_topup(org)
    FiscalReceipt.objects.update(status="error")
    with CaptureQueriesContext(connection) as five:
        staff_client.get("/fiscal-receipts/")
    assert len(five) == len(two)  # constant queries
    receipt = FiscalReceipt.objects.order_by("id").first()
    uuid = receipt.uuid
    staff_client.post(f"/fiscal-receipts/{receipt.pk}/retry/")
    receipt.refresh_from_db()
    assert receipt.status == "pending" and receipt.uuid == uuid


def test_receipts_are_named_by_what_was_sold_not_a_number(staff_client, owner, org, branch, sim):
    """«Продаж №60 до чека продажу №59» named nothing staff know: a receipt reads as what it
    sold («Продаж: Поповнення балансу»), a return as the sale it gives back, dated in words."""
    import re

    from django.utils import translation

    from tests.factories import SYSTEM
    from zapys.topups.services import top_up_refunded

    make_register(org, branch, sim.base_url)
    payment = paid_topup(org, 30_000)
    top_up_refunded(payment, 10_000, SYSTEM)
    sale, ret = FiscalReceipt.objects.order_by("id")
    owner.language = "uk"
    owner.save(update_fields=["language"])
    staff_client.get("/fiscal-receipts/")
    with CaptureQueriesContext(connection) as queries:
        html = staff_client.get("/fiscal-receipts/").content.decode()
    whats = re.findall(r'data-testid="receipt-what">([^<]*)<', html)
    assert len(whats) == 2
    assert whats[1].startswith("Продаж: ") and whats[0].startswith("Повернення: ")
    assert f"№{sale.pk}" not in html and f"№{ret.pk}" not in html
    found = re.search(r'data-testid="return-of">([^<]*)<', html)
    assert found and re.fullmatch(r"до чека продажу від \d{1,2} [а-яі]+ \d{4}", found.group(1)), (
        found
    )
    assert not re.search(r"\d\d\.\d\d\.\d{4}", html)
    # the sale a return gives back comes in the same query as the receipts
    for _ in range(3):
        top_up_refunded(paid_topup(org, 5_000), 1_000, SYSTEM)
    with CaptureQueriesContext(connection) as more:
        staff_client.get("/fiscal-receipts/")
    assert len(more) == len(queries)
    with translation.override("en"):
        assert sale.described().startswith("Sale: ")
