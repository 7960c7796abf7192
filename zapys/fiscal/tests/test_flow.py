"""Fiscal receipts end to end against the local Checkbox simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import SYSTEM, make_branch
from tests.factories_payments import make_client
from zapys.core.tenancy import org_scope
from zapys.fiscal.models import CashRegister, FiscalReceipt, Shift
from zapys.fiscal.sending import receipts_send, register_claim, shifts_close
from zapys.fiscal.services import receipt_retry
from zapys.fiscal.tests.factories import make_register, paid_topup
from zapys.messaging.models import StaffNotification
from zapys.payments.services import payment_succeed
from zapys.topups.services import top_up_refunded

T0 = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


def _run(times: int = 3, start: datetime = T0) -> datetime:
    now = start
    for _ in range(times):
        receipts_send(now)
        now += timedelta(hours=2)  # past any backoff
    return now


def test_payment_gets_a_receipt_done_with_the_shift_opened(org, branch, sim):
    make_register(org, branch, sim.base_url)
    payment = paid_topup(org, 50_000)
    receipt = FiscalReceipt.objects.get()
    # Asked for in the payment's transaction, before any call: our id is already stored.
    assert (receipt.kind, receipt.status, receipt.amount) == ("sell", "pending", 50_000)
    assert receipt.payment_id == payment.pk and receipt.client_id == payment.client_id
    assert sim.requests == []
    receipts_send(T0)
    receipt.refresh_from_db()
    assert receipt.status == "done" and receipt.fiscal_code.startswith("TEST-")
    assert receipt.tax_url and receipt.check_url.endswith(str(receipt.uuid))
    shift = Shift.objects.get()
    assert shift.status == "opened"
    [sell] = sim.sells
    body = sell.json()
    assert body["id"] == str(receipt.uuid) and sell.headers["x-request-id"] == str(receipt.uuid)
    assert body["payments"] == [{"type": "CASHLESS", "value": 50_000, "label": "Картка"}]
    assert body["goods"][0]["good"]["price"] == 50_000 and body["goods"][0]["quantity"] == 1000


def test_no_register_no_receipt(org, branch, sim):
    paid_topup(org)
    assert not FiscalReceipt.objects.exists()


def test_other_branch_register_is_not_used(org, branch, sim):
    other = make_branch(org, "Second")
    make_register(org, other, sim.base_url)
    paid_topup(org)  # lands in the first branch, which has no register
    assert not FiscalReceipt.objects.exists()


def test_shift_opening_asynchronously_waits_for_next_tick(org, branch, sim):
    sim.open_after_polls = 2
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    receipts_send(T0)
    assert Shift.objects.get().status == "opening" and sim.sells == []
    assert FiscalReceipt.objects.get().status == "pending"
    _run(2, T0 + timedelta(minutes=1))
    assert Shift.objects.get().status == "opened"
    assert FiscalReceipt.objects.get().status == "done"
    assert len(sim.shifts) == 1  # opened once


def test_shift_failing_to_open_is_shown_with_reason(org, branch, sim):
    sim.fail_open = "Каса зайнята іншим касиром"
    register = make_register(org, branch, sim.base_url)
    paid_topup(org)
    receipts_send(T0)
    shift = Shift.objects.get()
    assert shift.status == "failed" and shift.error == "Каса зайнята іншим касиром"
    register.refresh_from_db()
    assert register.last_error == "Каса зайнята іншим касиром"
    receipt = FiscalReceipt.objects.get()
    assert receipt.status == "pending" and sim.sells == []
    # Tried again after a backoff, not on every tick.
    assert receipt.next_try_at > T0 and receipt.error == "Каса зайнята іншим касиром"
    receipts_send(T0 + timedelta(seconds=1))
    assert len(sim.shifts) == 1
    [notice] = StaffNotification.objects.filter(related_type="fiscal.cashregister")
    assert notice.body == "Каса зайнята іншим касиром"


def test_5xx_retries_with_the_same_uuid_and_keeps_order(org, branch, sim):
    make_register(org, branch, sim.base_url)
    first, second = paid_topup(org, 10_000), paid_topup(org, 20_000)
    sim.inject_fault(status=503, times=1, path="/api/v1/receipts/sell")
    receipts_send(T0)
    a, b = FiscalReceipt.objects.order_by("id")
    assert (a.status, a.attempts, b.attempts) == ("pending", 1, 0)
    assert len(sim.sells) == 1  # the second waited behind the first
    _run(2, T0 + timedelta(hours=1))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == "done"
    ids = [r.json()["id"] for r in sim.sells]
    assert ids == [str(a.uuid), str(a.uuid), str(b.uuid)]
    assert len(sim.receipts) == 2
    assert (a.payment_id, b.payment_id) == (first.pk, second.pk)


def test_lost_answer_then_already_exists_is_success(org, branch, sim):
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    sim.lose_next_answer = True  # Checkbox made it, the answer was lost
    receipts_send(T0)
    receipt = FiscalReceipt.objects.get()
    assert receipt.status == "pending" and receipt.attempts == 1
    _run(2, T0 + timedelta(hours=1))
    receipt.refresh_from_db()
    assert receipt.status == "done"
    assert len(sim.receipts) == 1  # exactly one fiscal receipt at Checkbox
    assert [r.json()["id"] for r in sim.sells] == [str(receipt.uuid)] * 2


def test_422_is_shown_to_staff_and_retry_keeps_the_id(org, branch, sim):
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    receipt = FiscalReceipt.objects.get()
    FiscalReceipt.objects.filter(pk=receipt.pk).update(goods=[{"good": {"code": "x"}}])
    receipts_send(T0)
    receipt.refresh_from_db()
    assert receipt.status == "error" and "goods.0.good.name: field required" in receipt.error
    assert len(sim.receipts) == 0
    # Fixed (here: the lines put back) and retried by staff: the same id goes out.
    FiscalReceipt.objects.filter(pk=receipt.pk).update(
        goods=[{"good": {"code": "x", "name": "Top-up", "price": 50_000}, "quantity": 1000}]
    )
    receipt_retry(receipt=receipt, actor=SYSTEM, now=T0)
    receipts_send(T0 + timedelta(minutes=1))
    receipt.refresh_from_db()
    assert receipt.status == "done" and list(sim.receipts) == [str(receipt.uuid)]


def test_error_at_checkbox_shown_with_reason(org, branch, sim):
    make_register(org, branch, sim.base_url)
    sim.error_next = "ДПС: помилка підпису"
    paid_topup(org)
    receipts_send(T0)
    receipt = FiscalReceipt.objects.get()
    assert receipt.status == "error" and receipt.error == "ДПС: помилка підпису"


def test_wrong_password_errors_at_once_not_queued_forever(org, branch, sim):
    make_register(org, branch, sim.base_url, password="wrong")
    paid_topup(org)
    receipts_send(T0)
    receipt = FiscalReceipt.objects.get()
    assert receipt.status == "error" and "Невірний логін або пароль" in receipt.error
    assert CashRegister.objects.get().last_error
    assert not Shift.objects.exists() and sim.sells == []


def test_offline_mode_is_noticed(org, branch, sim):
    sim.offline = True
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    receipts_send(T0)
    receipt = FiscalReceipt.objects.get()
    assert receipt.status == "done" and receipt.offline
    assert CashRegister.objects.get().offline_since == T0
    [notice] = StaffNotification.objects.filter(related_type="fiscal.cashregister")  # once
    assert "offline" in notice.title or "офлайн" in notice.title
    paid_topup(org)
    receipts_send(T0 + timedelta(minutes=1))
    assert StaffNotification.objects.filter(related_type="fiscal.cashregister").count() == 1


def test_refund_makes_a_return_linked_to_the_sale_after_it_is_done(org, branch, sim):
    make_register(org, branch, sim.base_url)
    payment = paid_topup(org, 30_000)
    # What payments calls once the provider confirmed a refund (payments.purposes on_refunded).
    top_up_refunded(payment, 10_000, SYSTEM)  # before the sale's receipt is sent
    sale, ret = FiscalReceipt.objects.order_by("id")
    assert (ret.kind, ret.original_id, ret.amount) == ("return", sale.pk, 10_000)
    receipts_send(T0)  # the sale goes out; the return waits for it to be DONE
    sale.refresh_from_db()
    assert sale.status == "done"
    _run(2, T0 + timedelta(minutes=1))
    ret.refresh_from_db()
    assert ret.status == "done"
    body = sim.sells[-1].json()
    assert body["related_receipt_id"] == str(sale.uuid)
    assert body["goods"][0]["is_return"] is True and body["goods"][0]["good"]["price"] == 10_000
    assert sim.receipts[str(ret.uuid)].type == "RETURN"


def test_two_workers_one_register_one_shift(org, branch, sim):
    make_register(org, branch, sim.base_url)
    paid_topup(org)
    register = CashRegister.objects.get()
    assert register_claim(register.pk, T0) is not None  # worker 1 holds it
    assert receipts_send(T0) == "busy=1"  # worker 2 backs off
    assert sim.requests == []
    CashRegister.objects.update(busy_until=None)
    receipts_send(T0)
    receipts_send(T0 + timedelta(minutes=1))
    assert len(sim.shifts) == 1 and Shift.objects.count() == 1


def test_shift_closed_at_its_time_once_with_z_report(org, branch, sim):
    register = make_register(org, branch, sim.base_url)
    CashRegister.objects.filter(pk=register.pk).update(close_shift_at="20:00")
    paid_topup(org)
    receipts_send(T0)  # 09:00 UTC = 11:00 in Kyiv
    assert shifts_close(T0 + timedelta(hours=1)) == "nothing to do"
    evening = datetime(2027, 1, 11, 18, 5, tzinfo=UTC)  # 20:05 in Kyiv
    # Two workers at once: the first claims the register, the second finds it busy.
    assert shifts_close(evening) == "closed=1"
    assert shifts_close(evening) == "nothing to do"
    shift = Shift.objects.get()
    assert shift.status == "closed" and shift.z_report["sell_receipts_count"] == 1
    closes = [r for r in sim.requests if r.path == "/api/v1/shifts/close"]
    assert len(closes) == 1


def test_shift_close_claim_is_conditional(org, branch, sim):
    from zapys.fiscal.sending import register_client
    from zapys.fiscal.shifts import shift_close

    register = make_register(org, branch, sim.base_url)
    paid_topup(org)
    receipts_send(T0)
    shift = Shift.objects.get()
    Shift.objects.filter(pk=shift.pk).update(status="closing")  # another worker won
    with register_client(register) as client:
        client.signin()
        assert shift_close(register, shift, client, T0) == "taken"
    assert not [r for r in sim.requests if r.path == "/api/v1/shifts/close"]


def test_foreign_org_register_is_not_used(org, other_org, branch, sim):
    with org_scope(other_org):
        foreign_branch = make_branch(other_org, "B")
        make_register(other_org, foreign_branch, sim.base_url)
    paid_topup(org)
    assert not FiscalReceipt.objects.exists()
    with org_scope(other_org):
        assert not FiscalReceipt.objects.exists()


def test_cash_payment_is_not_fiscalised_here(org, branch, sim):
    from zapys.ledger.money import money_received_record

    make_register(org, branch, sim.base_url)
    client = make_client(org)
    money_received_record(
        client=client,
        amount=100,
        purpose="top_up",
        article="top_ups",
        actor=SYSTEM,
        cause=None,
        comment="",
        deposit_line="x",
        method="cash",
    )
    assert not FiscalReceipt.objects.exists()


def test_client_gets_the_receipt_link_once(org, branch, sim):
    from tests.factories_messaging import make_console_accounts
    from zapys.messaging.models import Message

    make_console_accounts(org)
    make_register(org, branch, sim.base_url)
    paid_topup(org, 25_000)
    before = Message.objects.count()  # the top-up's own message
    receipts_send(T0)
    receipt = FiscalReceipt.objects.get()
    [message] = Message.objects.filter(idempotency_key__endswith=f"fiscal_receipt:{receipt.uuid}")
    assert receipt.check_url in message.text and "250,00" in message.text
    assert Message.objects.count() == before + 1
    _run(2, T0 + timedelta(minutes=1))  # nothing more to do: no second message
    assert Message.objects.count() == before + 1


def test_prepayment_and_top_up_both_fiscalised_in_one_shift(org, branch, sim):
    from tests.factories_prepayments import enable_prepayment, make_booking, make_booking_type

    enable_prepayment(org)
    make_booking_type(org, "fixed", 20_000)
    make_register(org, branch, sim.base_url)
    booking = make_booking(org, branch)
    payment_succeed(payment=booking.payment, actor=SYSTEM)
    paid_topup(org, 5_000)
    receipts_send(T0)
    prepaid, topped = FiscalReceipt.objects.order_by("id")
    assert (prepaid.status, prepaid.amount, prepaid.payment_id) == (
        "done",
        20_000,
        booking.payment_id,
    )
    assert (topped.status, topped.amount) == ("done", 5_000)
    assert len(sim.shifts) == 1 and Shift.objects.get().status == "opened"
