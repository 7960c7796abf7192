"""Fiscal leftovers of issue 16: card payments where the branch wants them, staff closing a
shift, Checkbox down for a while, a refund waiting for its sale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import SYSTEM, make_branch
from tests.factories_payments import make_client
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.fiscal.models import CashRegister, FiscalReceipt, Shift
from zapys.fiscal.sending import receipts_send, register_claim, shift_close_now
from zapys.fiscal.tests.factories import make_register, paid_topup
from zapys.ledger.money import money_received_record
from zapys.topups.services import top_up_refunded

T0 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


def _card_payment(org, amount: int = 25_000):
    return money_received_record(
        client=make_client(org), amount=amount, purpose="payment", article="top_ups",
        actor=SYSTEM, cause=None, comment="", deposit_line="Манікюр", method="card",
    )  # fmt: skip


def test_card_payments_get_a_receipt_only_where_the_branch_wants_it(org, branch, sim):
    register = make_register(org, branch, sim.base_url)
    _card_payment(org)
    assert not FiscalReceipt.objects.exists()  # the terminal fiscalises its own
    make_register(org, branch, sim.base_url, fiscalise_card=True)
    register.refresh_from_db()
    assert register.fiscalise_card is True
    money = _card_payment(org, 31_000)
    receipt = FiscalReceipt.objects.get()
    assert (receipt.kind, receipt.amount, receipt.operation_id) == (
        "sell",
        31_000,
        money.operation.pk,
    )
    receipts_send(T0)
    receipt.refresh_from_db()
    assert receipt.status == "done"
    assert sim.sells[0].json()["goods"][0]["good"]["name"] == "Манікюр"


def test_the_setting_is_saved_from_the_page(staff_client, org, branch, sim):
    response = staff_client.post(
        "/settings/cash-registers/",
        {"branch": branch.pk, "license_key": "LIC-1", "cashier_login": "cashier",
         "cashier_password": "secret", "base_url": f"{sim.base_url}/api/v1",
         "close_shift_at": "21:30", "fiscalise_card": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert CashRegister.objects.get().fiscalise_card is True
    audit = AuditLog.objects.filter(action="cash_register.create").get()
    assert audit.changes["fiscalise_card"] is True


def test_staff_close_the_shift_now_and_the_z_report_is_stored(staff_client, org, branch, sim):
    register = make_register(org, branch, sim.base_url)
    assert "close-shift" not in staff_client.get("/fiscal-receipts/").content.decode()
    paid_topup(org)
    receipts_send(T0)
    page = staff_client.get("/fiscal-receipts/").content.decode()
    assert 'data-testid="close-shift"' in page
    response = staff_client.post(f"/fiscal-receipts/registers/{register.pk}/close-shift/",
                                 follow=True)  # fmt: skip
    assert "Зміну закрито" in response.content.decode()
    shift = Shift.objects.get()
    assert shift.status == "closed" and shift.z_report["sell_receipts_count"] == 1
    assert AuditLog.objects.filter(action="shift.closed").count() == 1
    # Pressed again: nothing to close, nothing sent.
    closes = [r for r in sim.requests if r.path == "/api/v1/shifts/close"]
    staff_client.post(f"/fiscal-receipts/registers/{register.pk}/close-shift/")
    assert len([r for r in sim.requests if r.path == "/api/v1/shifts/close"]) == len(closes) == 1


def test_closing_waits_for_a_register_busy_sending(org, branch, sim):
    register = make_register(org, branch, sim.base_url)
    paid_topup(org)
    receipts_send(T0)
    assert register_claim(register.pk, T0) is not None  # a tick is posting receipts
    assert shift_close_now(register, T0) == "busy"
    assert Shift.objects.get().status == "opened"
    CashRegister.objects.update(busy_until=None)
    assert shift_close_now(register, T0) == "closed"


def test_a_foreign_register_cannot_be_closed(staff_client, org, other_org, sim):
    with org_scope(other_org):
        foreign = make_register(other_org, make_branch(other_org, "B"), sim.base_url)
    response = staff_client.post(f"/fiscal-receipts/registers/{foreign.pk}/close-shift/")
    assert response.status_code == 404
    assert not [r for r in sim.requests if r.path == "/api/v1/shifts/close"]


def test_checkbox_down_receipts_wait_then_go_out_once_in_order(org, branch, sim):
    make_register(org, branch, sim.base_url)
    payments = [paid_topup(org, 10_000 * (n + 1)) for n in range(4)]
    sim.inject_fault(status=503)  # every call, until cleared
    now = T0
    for _ in range(4):  # an hour of ticks while Checkbox is down
        receipts_send(now)
        now += timedelta(minutes=15)
    assert not sim.receipts
    assert set(FiscalReceipt.objects.values_list("status", flat=True)) == {"pending"}
    sim.clear_faults()
    for _ in range(4):
        receipts_send(now)
        now += timedelta(hours=2)
    receipts = list(FiscalReceipt.objects.order_by("id"))
    assert [r.status for r in receipts] == ["done"] * 4
    assert [r.payment_id for r in receipts] == [p.pk for p in payments]
    # Checkbox holds each once, in the order they were asked for.
    assert list(sim.receipts) == [str(r.uuid) for r in receipts]


def test_a_refund_waits_while_its_sale_is_not_done(org, branch, sim):
    make_register(org, branch, sim.base_url)
    payment = paid_topup(org, 30_000)
    top_up_refunded(payment, 10_000, SYSTEM)
    sale, ret = FiscalReceipt.objects.order_by("id")
    sim.inject_fault(status=503, times=3, path="/api/v1/receipts/sell")
    now = T0
    for _ in range(3):  # the sale keeps failing; the return must not go out before it
        receipts_send(now)
        now += timedelta(hours=2)
        ret.refresh_from_db()
        assert ret.posted_at is None and ret.status == "pending"
    for _ in range(3):
        receipts_send(now)
        now += timedelta(hours=2)
    sale.refresh_from_db()
    ret.refresh_from_db()
    assert sale.status == ret.status == "done"
    assert ret.posted_at > sale.done_at
    assert sim.receipts[str(ret.uuid)].type == "RETURN"
