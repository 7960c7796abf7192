"""Local stand-in for the Checkbox API v1 (software cash register), from docs/providers.md
and research §3.3 — it never imports the client it tests.

    with CheckboxSimulator() as sim:
        register = make_register(org, base_url=sim.base_url)   # licence "LIC-1", cashier/secret

What it speaks: `POST /cashier/signin` (and `/cashier/signinPinCode`), `GET
/cash-registers/info`, `POST /shifts` (202 CREATED; OPENED after `open_after_polls` reads of
`GET /shifts/{id}`, or CLOSED with `initial_transaction` when `fail_open` is set), `POST
/shifts/close` (202 CLOSING, CLOSED with a Z-report on the next read), `POST /receipts/sell`
(201 CREATED, DONE with `fiscal_code`/`tax_url` after `done_after_polls` reads, ERROR when
`error_next` is set; an id seen before is 400 `receipt.already_exists`; bad bodies 422
`detail[{loc,msg,type}]`; no open shift 400 "Зміну не відкрито"), `GET /receipts/{id}`.
Faults: `inject_fault(status=503, ...)` from the base, and `lose_next_answer` (the receipt is
made but the answer is a 502, as when a connection breaks after the server did the work).
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.simulators.base import SimRequest, SimResponse, SimulatorServer

_SHIFT = re.compile(r"^/api/v1/shifts/(?P<id>[0-9a-f-]+)$")
_RECEIPT = re.compile(r"^/api/v1/receipts/(?P<id>[^/]+)$")


@dataclass
class SimShift:
    id: str
    cashier: str
    status: str = "CREATED"
    polls: int = 0
    z_report: dict[str, Any] | None = None
    initial_transaction: dict[str, Any] = field(default_factory=dict)


@dataclass
class SimReceipt:
    id: str
    body: dict[str, Any]
    type: str
    status: str = "CREATED"
    polls: int = 0
    fiscal_code: str = ""
    offline: bool = False
    error: str = ""


def _error(status: int, message: str, code: str = "") -> SimResponse:
    payload: dict[str, Any] = {"message": message}
    if code:
        payload["code"] = code
    return SimResponse.json(payload, status)


def _invalid(problems: list[tuple[list[Any], str]]) -> SimResponse:
    detail = [{"loc": ["body", *loc], "msg": msg, "type": "value_error"} for loc, msg in problems]
    return SimResponse.json({"detail": detail}, 422)


class CheckboxSimulator(SimulatorServer):
    def __init__(
        self,
        *,
        licenses: tuple[str, ...] = ("LIC-1",),
        cashiers: dict[str, str] | None = None,
        pins: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.licenses = set(licenses)
        self.cashiers = dict(cashiers or {"cashier": "secret"})
        self.pins = dict(pins or {"1234": "cashier"})
        self.tokens: dict[str, str] = {}
        self.shifts: dict[str, SimShift] = {}
        self.receipts: dict[str, SimReceipt] = {}
        self.open_after_polls = 1
        self.done_after_polls = 1
        self.fail_open = ""
        self.error_next = ""
        self.offline = False
        self.lose_next_answer = False
        self._codes = itertools.count(1000)

    # --- helpers for tests ---------------------------------------------------------------

    @property
    def sells(self) -> list[SimRequest]:
        return [
            r for r in self.requests if r.method == "POST" and r.path.endswith("/receipts/sell")
        ]

    def live_shift(self, cashier: str = "cashier") -> SimShift | None:
        for shift in self.shifts.values():
            if shift.cashier == cashier and shift.status in (
                "CREATED",
                "OPENING",
                "OPENED",
                "CLOSING",
            ):
                return shift
        return None

    # --- protocol ------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        path = request.path
        if not path.startswith("/api/v1/"):
            return _error(404, "Not found")
        if request.headers.get("x-client-name", "") == "":
            return _error(400, "X-Client-Name header is required")
        if path == "/api/v1/cashier/signin" and request.method == "POST":
            body = request.json()
            login = body.get("login")
            if self.cashiers.get(login) != body.get("password"):
                return _error(401, "Невірний логін або пароль")
            return self._token(login)
        if path == "/api/v1/cashier/signinPinCode" and request.method == "POST":
            login = self.pins.get(str(request.json().get("pin_code")))
            if login is None:
                return _error(401, "Невірний пін-код")
            return self._token(login)
        cashier = self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if cashier is None:
            return _error(401, "Not authenticated")
        if request.headers.get("x-license-key") not in self.licenses:
            return _error(403, "Невірний ключ ліцензії каси")
        if path == "/api/v1/cash-registers/info":
            return SimResponse.json(
                {
                    "id": str(uuid.uuid4()),
                    "fiscal_number": "4000000001",
                    "offline_mode": self.offline,
                }
            )
        if path == "/api/v1/shifts" and request.method == "POST":
            return self._shift_open(cashier)
        if path == "/api/v1/shifts/close" and request.method == "POST":
            return self._shift_close(cashier)
        if (match := _SHIFT.match(path)) and request.method == "GET":
            return self._shift_get(match["id"])
        if path == "/api/v1/receipts/sell" and request.method == "POST":
            return self._sell(cashier, request)
        if (match := _RECEIPT.match(path)) and request.method == "GET":
            return self._receipt_get(match["id"])
        return _error(404, "Not found")

    def _token(self, login: str) -> SimResponse:
        token = uuid.uuid4().hex
        with self._lock:
            self.tokens[token] = login
        return SimResponse.json({"access_token": token, "token_type": "bearer"})

    def _shift_open(self, cashier: str) -> SimResponse:
        with self._lock:
            if self.live_shift(cashier) is not None:
                return _error(400, "Касир вже працює з даною касою")
            shift = SimShift(str(uuid.uuid4()), cashier)
            if self.fail_open:
                shift.initial_transaction = {
                    "status": "ERROR",
                    "response_status": "ERROR",
                    "response_error_message": self.fail_open,
                }
            self.shifts[shift.id] = shift
        return SimResponse.json(self._shift_json(shift), 202)

    def _shift_get(self, shift_id: str) -> SimResponse:
        with self._lock:
            shift = self.shifts.get(shift_id)
            if shift is None:
                return _error(404, "Зміну не знайдено")
            shift.polls += 1
            if shift.status == "CREATED" and shift.polls >= self.open_after_polls:
                shift.status = "CLOSED" if shift.initial_transaction else "OPENED"
            elif shift.status == "CLOSING":
                shift.status = "CLOSED"
                shift.z_report = {
                    "id": str(uuid.uuid4()),
                    "sell_receipts_count": sum(
                        1 for r in self.receipts.values() if r.type == "SELL"
                    ),
                    "return_receipts_count": sum(
                        1 for r in self.receipts.values() if r.type == "RETURN"
                    ),
                    # As Checkbox's ShiftReport: the sums by payment type, in kopecks.
                    "payments": self._z_payments(),
                }
            return SimResponse.json(self._shift_json(shift))

    def _z_payments(self) -> list[dict[str, Any]]:
        sums: dict[tuple[str, str], dict[str, Any]] = {}
        for receipt in self.receipts.values():
            if receipt.status != "DONE":
                continue
            for pay in receipt.body.get("payments") or []:
                key = (pay.get("type", ""), pay.get("label", ""))
                row = sums.setdefault(
                    key, {"type": key[0], "label": key[1], "sell_sum": 0, "return_sum": 0}
                )
                row["return_sum" if receipt.type == "RETURN" else "sell_sum"] += pay["value"]
        return list(sums.values())

    def _shift_close(self, cashier: str) -> SimResponse:
        with self._lock:
            shift = self.live_shift(cashier)
            if shift is None or shift.status != "OPENED":
                return _error(400, "Зміну не відкрито")
            shift.status = "CLOSING"
            return SimResponse.json(self._shift_json(shift), 202)

    @staticmethod
    def _shift_json(shift: SimShift) -> dict[str, Any]:
        return {
            "id": shift.id,
            "status": shift.status,
            "z_report": shift.z_report,
            "initial_transaction": shift.initial_transaction or {"status": "DONE"},
        }

    def _validate(self, body: dict[str, Any]) -> list[tuple[list[Any], str]]:
        problems: list[tuple[list[Any], str]] = []
        try:
            uuid.UUID(str(body.get("id")))
        except ValueError:
            problems.append((["id"], "value is not a valid uuid"))
        goods = body.get("goods")
        if not isinstance(goods, list) or not goods:
            return [*problems, (["goods"], "ensure this value has at least 1 items")]
        total = 0
        for n, item in enumerate(goods):
            good = item.get("good") or {}
            if not good.get("name"):
                problems.append((["goods", n, "good", "name"], "field required"))
            price, quantity = good.get("price"), item.get("quantity")
            if not isinstance(price, int) or price < 0:
                problems.append((["goods", n, "good", "price"], "value is not a valid integer"))
                continue
            if not isinstance(quantity, int) or quantity <= 0:
                problems.append((["goods", n, "quantity"], "value is not a valid integer"))
                continue
            total += price * quantity // 1000
        paid = sum(p.get("value", 0) for p in body.get("payments") or [])
        if paid != total:
            problems.append((["payments"], f"Сума оплат {paid} не дорівнює сумі чека {total}"))
        return problems

    def _sell(self, cashier: str, request: SimRequest) -> SimResponse:
        body = request.json()
        problems = self._validate(body)
        if problems:
            return _invalid(problems)
        with self._lock:
            receipt_id = str(body["id"])
            if receipt_id in self.receipts:
                return _error(
                    400, "Чек з таким ідентифікатором вже існує", "receipt.already_exists"
                )
            shift = self.live_shift(cashier)
            if shift is None or shift.status != "OPENED":
                return _error(400, "Зміну не відкрито")
            is_return = any(g.get("is_return") for g in body["goods"])
            related = body.get("related_receipt_id")
            if is_return and (
                related not in self.receipts or self.receipts[related].status != "DONE"
            ):
                return _error(400, "Чек продажу для повернення не знайдено")
            receipt = SimReceipt(receipt_id, body, "RETURN" if is_return else "SELL")
            receipt.offline = self.offline
            if self.error_next:
                receipt.error, self.error_next = self.error_next, ""
            self.receipts[receipt_id] = receipt
            if self.lose_next_answer:
                self.lose_next_answer = False
                return SimResponse.html("<h1>502 Bad Gateway</h1>", 502)
            return SimResponse.json(self._receipt_json(receipt), 201)

    def _receipt_get(self, receipt_id: str) -> SimResponse:
        with self._lock:
            receipt = self.receipts.get(receipt_id)
            if receipt is None:
                return _error(404, "Чек не знайдено")
            receipt.polls += 1
            if receipt.status == "CREATED" and receipt.polls >= self.done_after_polls:
                if receipt.error:
                    receipt.status = "ERROR"
                else:
                    receipt.status = "DONE"
                    receipt.fiscal_code = f"TEST-{next(self._codes)}"
            return SimResponse.json(self._receipt_json(receipt))

    @staticmethod
    def _receipt_json(receipt: SimReceipt) -> dict[str, Any]:
        done = receipt.status == "DONE"
        return {
            "id": receipt.id,
            "type": receipt.type,
            "status": receipt.status,
            "fiscal_code": receipt.fiscal_code or None,
            "tax_url": (
                f"https://cabinet.tax.gov.ua/cashregs/check?id={receipt.fiscal_code}"
                if done
                else None
            ),
            "is_created_offline": receipt.offline,
            "total_sum": sum(
                g["good"]["price"] * g["quantity"] // 1000 for g in receipt.body["goods"]
            ),
            "related_receipt_id": receipt.body.get("related_receipt_id"),
            "transaction": {
                "status": "ERROR" if receipt.status == "ERROR" else "DONE",
                "response_status": "ERROR" if receipt.error else "OK",
                "response_error_message": receipt.error or None,
            },
        }
