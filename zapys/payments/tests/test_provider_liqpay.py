"""LiqPay protocol layer: docs/providers.md vectors, checkout, callbacks, and round trips
through the local LiqPay simulator. No database."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.simulators import CallbackReceiver, LiqPaySimulator, SimRequest, SimResponse, post_form
from zapys.payments.providers import (
    PROVIDERS,
    CheckoutRequest,
    InvalidCallback,
    PaymentNotFound,
    ProviderError,
    ProviderEvent,
    get_provider,
)
from zapys.payments.providers.base import amount_json_number, format_amount, parse_amount
from zapys.payments.providers.liqpay import (
    LiqPayProvider,
    decode_and_verify,
    encode_data,
    map_status,
    sign,
)

DOC_PRIVATE_KEY = "a4825234f4bae72a0be04eafe9e8e2bada209255"
DOC_JSON = {
    "public_key": "i00000000",
    "version": "3",
    "action": "pay",
    "amount": "3",
    "currency": "UAH",
    "description": "test",
    "order_id": "000001",
}
DOC_DATA = (
    "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwIiwidmVyc2lvbiI6IjMiLCJhY3Rpb24iOiJwYXkiLCJhbW91"
    "bnQiOiIzIiwiY3VycmVuY3kiOiJVQUgiLCJkZXNjcmlwdGlvbiI6InRlc3QiLCJvcmRlcl9pZCI6IjAw"
    "MDAwMSJ9"
)
DOC_SIGNATURE = "wR+UZDC4jjeL/qUOvIsofIWpZh8="
DOC_DATA_V7 = (
    "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwIiwidmVyc2lvbiI6NywiYWN0aW9uIjoicGF5IiwiYW1vdW50"
    "IjoiMyIsImN1cnJlbmN5IjoiVUFIIiwiZGVzY3JpcHRpb24iOiJ0ZXN0Iiwib3JkZXJfaWQiOiIwMDAw"
    "MDEifQ=="
)
DOC_SIGNATURE_V7 = "0adgJ8F2Ds5HCVkcz4AlmdLMRoIJf7IxsL3QmeFRz/s="

PUBLIC_KEY = "sandbox_i12345"
PRIVATE_KEY = "sandbox_private_67890"
CREDENTIALS = {"public_key": PUBLIC_KEY, "private_key": PRIVATE_KEY, "sandbox": True}


def make_request(**overrides: object) -> CheckoutRequest:
    values: dict[str, object] = {
        "order_id": "zp-000042",
        "amount": 15050,
        "currency": "UAH",
        "description": "Передплата: стрижка",
        "result_url": "https://crm.example.com/pay/done",
        "server_url": "https://crm.example.com/payments/callback/liqpay",
        "language": "uk",
        "expires_at": datetime(2030, 5, 1, 15, 30, tzinfo=ZoneInfo("Europe/Kyiv")),
    }
    values.update(overrides)
    return CheckoutRequest(**values)  # type: ignore[arg-type]


def callback_body(payload: dict[str, object], private_key: str = PRIVATE_KEY) -> bytes:
    data = encode_data(payload)
    return urlencode({"data": data, "signature": sign(private_key, data)}).encode()


def paid_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "payment_id": 1234567,
        "action": "pay",
        "status": "success",
        "version": 3,
        "public_key": PUBLIC_KEY,
        "order_id": "zp-000042",
        "amount": 150.5,
        "currency": "UAH",
        "end_date": 1714570000000,
        "transaction_id": 998877,
    }
    payload.update(overrides)
    return payload


FORM = "application/x-www-form-urlencoded"


# --------------------------------------------------------------------------- vectors


def test_documented_data_and_signature_vector() -> None:
    assert encode_data(DOC_JSON) == DOC_DATA
    assert sign(DOC_PRIVATE_KEY, DOC_DATA) == DOC_SIGNATURE


def test_documented_callback_page_vector() -> None:
    assert sign("your_private_key", "base64_post_string") == "tp+ZLmKm1/E83dIzUpx5ljcttP4="


def test_version_7_vector_uses_sha3() -> None:
    assert sign(DOC_PRIVATE_KEY, DOC_DATA_V7, version=7) == DOC_SIGNATURE_V7


def test_hash_is_chosen_from_the_messages_version() -> None:
    assert decode_and_verify(DOC_PRIVATE_KEY, DOC_DATA, DOC_SIGNATURE)["order_id"] == "000001"
    assert decode_and_verify(DOC_PRIVATE_KEY, DOC_DATA_V7, DOC_SIGNATURE_V7)["version"] == 7
    with pytest.raises(InvalidCallback, match="signature"):
        decode_and_verify(DOC_PRIVATE_KEY, DOC_DATA_V7, DOC_SIGNATURE)


# --------------------------------------------------------------------------- checkout


def test_checkout_form_is_exactly_as_documented() -> None:
    provider = LiqPayProvider(CREDENTIALS)
    form = provider.build_checkout(make_request())

    assert form.action == "https://www.liqpay.ua/api/3/checkout"
    assert form.method == "POST"
    assert [name for name, _ in form.fields] == ["data", "signature"]
    data, signature = (value for _, value in form.fields)
    assert "\n" not in data
    assert signature == sign(PRIVATE_KEY, data)
    decoded = json.loads(base64.b64decode(data, validate=True))
    assert decoded == {
        "version": 3,
        "public_key": PUBLIC_KEY,
        "action": "pay",
        "amount": 150.5,
        "currency": "UAH",
        "description": "Передплата: стрижка",
        "order_id": "zp-000042",
        "result_url": "https://crm.example.com/pay/done",
        "server_url": "https://crm.example.com/payments/callback/liqpay",
        "language": "uk",
        "sandbox": 1,
        "expired_date": "2030-05-01 12:30:00",  # 15:30 in Kyiv (UTC+3 in summer)
    }
    assert b'"amount":150.5,' in base64.b64decode(data)


def test_checkout_whole_amount_without_sandbox_or_expiry() -> None:
    provider = LiqPayProvider({"public_key": PUBLIC_KEY, "private_key": PRIVATE_KEY})
    form = provider.build_checkout(make_request(amount=300, expires_at=None, language="en"))
    decoded = json.loads(base64.b64decode(dict(form.fields)["data"]))
    assert decoded["amount"] == 3
    assert b'"amount":3,' in base64.b64decode(dict(form.fields)["data"])
    assert decoded["language"] == "en"
    assert "sandbox" not in decoded
    assert "expired_date" not in decoded


def test_base_url_override_moves_the_checkout_action() -> None:
    provider = get_provider("liqpay", CREDENTIALS, base_url="http://127.0.0.1:9/")
    assert provider.build_checkout(make_request()).action == "http://127.0.0.1:9/api/3/checkout"


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": 0},
        {"amount": -100},
        {"amount": True},
        {"currency": "PLN"},
        {"language": "de"},
        {"order_id": ""},
        {"order_id": "x" * 256},
        {"description": ""},
        {"expires_at": datetime(2030, 5, 1, 15, 30)},  # naive
    ],
)
def test_checkout_rejects_bad_requests(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        LiqPayProvider(CREDENTIALS).build_checkout(make_request(**overrides))


def test_missing_credentials_fail_at_construction() -> None:
    with pytest.raises(ValueError, match="private_key"):
        LiqPayProvider({"public_key": PUBLIC_KEY})


def test_registry() -> None:
    assert PROVIDERS["liqpay"] is LiqPayProvider
    assert isinstance(get_provider("liqpay", CREDENTIALS), LiqPayProvider)
    with pytest.raises(ValueError, match="unknown payment provider"):
        get_provider("paypal", {})


# --------------------------------------------------------------------------- callbacks


def test_parse_callback_success() -> None:
    event = LiqPayProvider(CREDENTIALS).parse_callback(callback_body(paid_payload()), FORM)
    assert event.order_id == "zp-000042"
    assert event.status == "succeeded"
    assert event.provider_status == "success"
    assert event.amount == 15050
    assert event.currency == "UAH"
    assert event.provider_payment_id == "1234567"
    assert event.account_key == PUBLIC_KEY
    assert event.event_id == "1234567:success:1714570000000:998877"
    assert event.raw["amount"] == 150.5


def test_test_payment_is_not_money_outside_sandbox_mode() -> None:
    body = callback_body(paid_payload(status="sandbox"))
    assert LiqPayProvider(CREDENTIALS).parse_callback(body, FORM).status == "succeeded"
    live = LiqPayProvider({**CREDENTIALS, "sandbox": False})
    assert live.parse_callback(body, FORM).status == "pending"
    assert LiqPayProvider({**CREDENTIALS, "sandbox": "0"}).sandbox is False


def test_redelivered_callback_has_the_same_event_id() -> None:
    provider = LiqPayProvider(CREDENTIALS)
    first = provider.parse_callback(callback_body(paid_payload()), FORM)
    again = provider.parse_callback(callback_body(paid_payload()), FORM)
    reversed_ = provider.parse_callback(callback_body(paid_payload(status="reversed")), FORM)
    assert first.event_id == again.event_id
    assert reversed_.event_id != first.event_id


def test_callback_amount_is_parsed_exactly() -> None:
    body = callback_body(paid_payload(amount=0.1 + 0.2))  # 0.30000000000000004 on the wire
    assert LiqPayProvider(CREDENTIALS).parse_callback(body, FORM).amount == 30
    body = callback_body(paid_payload(amount="1547.36"))
    assert LiqPayProvider(CREDENTIALS).parse_callback(body, FORM).amount == 154736


def test_forged_signature_is_rejected() -> None:
    body = callback_body(paid_payload(), private_key="someone-elses-key")
    with pytest.raises(InvalidCallback, match="signature"):
        LiqPayProvider(CREDENTIALS).parse_callback(body, FORM)


def test_tampered_data_is_rejected() -> None:
    data = encode_data(paid_payload())
    signature = sign(PRIVATE_KEY, data)
    tampered = encode_data(paid_payload(amount=1.0))
    body = urlencode({"data": tampered, "signature": signature}).encode()
    with pytest.raises(InvalidCallback, match="signature"):
        LiqPayProvider(CREDENTIALS).parse_callback(body, FORM)


def test_unencoded_plus_in_signature_is_rejected() -> None:
    data = encode_data(DOC_JSON)
    body = f"data={data}&signature={DOC_SIGNATURE}".encode()  # '+' arrives as a space
    provider = LiqPayProvider({"public_key": "i00000000", "private_key": DOC_PRIVATE_KEY})
    with pytest.raises(InvalidCallback, match="signature"):
        provider.parse_callback(body, FORM)


@pytest.mark.parametrize("cut", [1, 2, 3, 4, 8])
def test_truncated_base64_is_rejected(cut: int) -> None:
    data = encode_data(paid_payload())[:-cut]
    for signature in (sign(PRIVATE_KEY, data), "AAAA"):
        body = urlencode({"data": data, "signature": signature}).encode()
        with pytest.raises(InvalidCallback):
            LiqPayProvider(CREDENTIALS).parse_callback(body, FORM)


def test_line_wrapped_base64_is_rejected() -> None:
    data = encode_data(paid_payload())
    wrapped = data[:40] + "\n" + data[40:]
    body = urlencode({"data": wrapped, "signature": sign(PRIVATE_KEY, wrapped)}).encode()
    with pytest.raises(InvalidCallback, match="base64"):
        LiqPayProvider(CREDENTIALS).parse_callback(body, FORM)


@pytest.mark.parametrize("text", [b"not json at all", b"[1, 2, 3]", b'"a string"'])
def test_non_json_or_non_object_data_is_rejected(text: bytes) -> None:
    data = base64.b64encode(text).decode()
    body = urlencode({"data": data, "signature": sign(PRIVATE_KEY, data)}).encode()
    with pytest.raises(InvalidCallback, match="JSON"):
        LiqPayProvider(CREDENTIALS).parse_callback(body, FORM)


@pytest.mark.parametrize("field", ["status", "order_id", "public_key"])
def test_missing_fields_are_rejected(field: str) -> None:
    payload = paid_payload()
    del payload[field]
    with pytest.raises(InvalidCallback):
        LiqPayProvider(CREDENTIALS).parse_callback(callback_body(payload), FORM)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"signature=abc",
        b"data=abc",
        b"data=a&data=b&signature=c",
        b"\xff\xfe",
        b'{"data": "x", "signature": "y"}',
    ],
)
def test_malformed_bodies_are_rejected(body: bytes) -> None:
    with pytest.raises(InvalidCallback):
        LiqPayProvider(CREDENTIALS).parse_callback(body, FORM)


def test_callback_for_another_public_key_is_rejected() -> None:
    body = callback_body(paid_payload(public_key="i-other-merchant"))
    with pytest.raises(InvalidCallback, match="public_key"):
        LiqPayProvider(CREDENTIALS).parse_callback(body, FORM)


def test_bad_amount_is_rejected() -> None:
    with pytest.raises(InvalidCallback):
        LiqPayProvider(CREDENTIALS).parse_callback(callback_body(paid_payload(amount="abc")), FORM)


def test_callback_reply_and_peek() -> None:
    provider = LiqPayProvider(CREDENTIALS)
    event = provider.parse_callback(callback_body(paid_payload()), FORM)
    reply = provider.callback_reply(event)
    assert (reply.status_code, reply.body) == (200, b"")
    assert provider.callback_reply(None).status_code == 400
    assert provider.callback_reply(None, order_id="zp-1").status_code == 200
    forged = callback_body(paid_payload(), private_key="forger")
    assert provider.peek_order_id(forged, FORM) == "zp-000042"
    assert provider.peek_order_id(b"garbage", FORM) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("success", "succeeded"),
        ("sandbox", "succeeded"),
        ("failure", "failed"),
        ("error", "failed"),
        ("reversed", "refunded"),
        ("3ds_verify", "pending"),
        ("otp_verify", "pending"),
        ("wait_accept", "pending"),
        ("processing", "pending"),
        ("try_again", "pending"),
        ("subscribed", "pending"),
        ("something_new", "pending"),
    ],
)
def test_status_mapping(status: str, expected: str) -> None:
    assert map_status(status) == expected


# --------------------------------------------------------------------------- money


@given(st.integers(min_value=0, max_value=10**15))
def test_kopecks_round_trip_through_provider_text(kopecks: int) -> None:
    assert parse_amount(format_amount(kopecks)) == kopecks


@given(st.integers(min_value=1, max_value=10**11))
def test_kopecks_round_trip_through_json_number(kopecks: int) -> None:
    text = json.dumps({"amount": amount_json_number(kopecks)})
    assert parse_amount(json.loads(text, parse_float=Decimal)["amount"]) == kopecks


@pytest.mark.parametrize(
    ("kopecks", "text"), [(300, "3"), (15050, "150.5"), (734, "7.34"), (1, "0.01"), (0, "0")]
)
def test_format_amount(kopecks: int, text: str) -> None:
    assert format_amount(kopecks) == text


@pytest.mark.parametrize(
    ("value", "kopecks"),
    [("150.5", 15050), ("3.0", 300), (3, 300), ("0.005", 1), ("0.0049", 0), ("1E+3", 100000)],
)
def test_parse_amount_is_exact_and_half_up(value: str | int, kopecks: int) -> None:
    assert parse_amount(value) == kopecks


@pytest.mark.parametrize("value", [1.5, "abc", "NaN", "Infinity", None, True])
def test_parse_amount_refuses_floats_and_junk(value: object) -> None:
    with pytest.raises(ValueError):
        parse_amount(value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- simulator


@pytest.fixture
def simulator() -> Iterator[LiqPaySimulator]:
    with LiqPaySimulator(private_keys={PUBLIC_KEY: PRIVATE_KEY}) as sim:
        yield sim


@pytest.fixture
def received() -> list[ProviderEvent]:
    return []


@pytest.fixture
def receiver(
    simulator: LiqPaySimulator, received: list[ProviderEvent]
) -> Iterator[CallbackReceiver]:
    provider = LiqPayProvider(CREDENTIALS, base_url=simulator.base_url)

    def respond(request: SimRequest) -> SimResponse:
        try:
            event = provider.parse_callback(request.body, request.content_type)
        except InvalidCallback:
            reply = provider.callback_reply(None)
        else:
            received.append(event)
            reply = provider.callback_reply(event)
        return SimResponse(reply.status_code, reply.content_type, reply.body)

    with CallbackReceiver(respond) as callback_receiver:
        yield callback_receiver


def start_checkout(
    simulator: LiqPaySimulator, receiver: CallbackReceiver, **overrides: object
) -> LiqPayProvider:
    provider = LiqPayProvider(CREDENTIALS, base_url=simulator.base_url, timeout=2)
    request = make_request(server_url=receiver.url, **overrides)
    response = post_form(*_form(provider, request))
    assert response.status_code == 200, response.text
    return provider


def _form(provider: LiqPayProvider, request: CheckoutRequest) -> tuple[str, list[tuple[str, str]]]:
    form = provider.build_checkout(request)
    return form.action, form.fields


def test_checkout_intake_pay_and_callback(
    simulator: LiqPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    start_checkout(simulator, receiver)
    order = simulator.orders["zp-000042"]
    assert (order.amount, order.currency, order.sandbox) == (Decimal("150.5"), "UAH", True)
    assert order.expired_at == datetime(2030, 5, 1, 12, 30, tzinfo=UTC)

    response = simulator.pay("zp-000042")

    assert response.status_code == 200
    assert simulator.errors == []
    [event] = received
    assert (event.status, event.provider_status, event.amount) == ("succeeded", "sandbox", 15050)


def test_payment_page_button_pays_and_returns_the_browser(
    simulator: LiqPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    start_checkout(simulator, receiver)
    page = simulator.requests[-1]
    assert page.path == "/api/3/checkout"
    response = post_form(
        simulator.base_url + "/_sim/complete", [("order_id", "zp-000042"), ("status", "success")]
    )
    assert response.status_code == 303
    assert response.headers["location"] == "https://crm.example.com/pay/done"
    assert [event.status for event in received] == ["succeeded"]


def test_declined_payment(
    simulator: LiqPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    start_checkout(simulator, receiver)
    simulator.pay("zp-000042", status="failure")
    assert [event.status for event in received] == ["failed"]


def test_simulator_rejects_a_forged_checkout(simulator: LiqPaySimulator) -> None:
    form = LiqPayProvider({**CREDENTIALS, "private_key": "wrong"}).build_checkout(make_request())
    response = post_form(simulator.base_url + "/api/3/checkout", form.fields)
    assert response.status_code == 400
    assert simulator.rejections == [("/api/3/checkout", "bad_signature")]
    assert simulator.orders == {}


def test_forged_callback_gets_400(simulator: LiqPaySimulator, receiver: CallbackReceiver) -> None:
    start_checkout(simulator, receiver)
    fields = simulator.build_callback("zp-000042")
    fields["signature"] = sign("forger", fields["data"])
    response = post_form(receiver.url, fields.items())
    assert response.status_code == 400


def test_fetch_status(simulator: LiqPaySimulator, receiver: CallbackReceiver) -> None:
    provider = start_checkout(simulator, receiver)
    with pytest.raises(PaymentNotFound):
        provider.fetch_status("zp-000042")  # no payment yet
    simulator.pay("zp-000042")

    event = provider.fetch_status("zp-000042")

    assert (event.order_id, event.status, event.amount) == ("zp-000042", "succeeded", 15050)
    assert event.account_key == PUBLIC_KEY


def test_fetch_status_of_unknown_order(simulator: LiqPaySimulator) -> None:
    provider = LiqPayProvider(CREDENTIALS, base_url=simulator.base_url)
    with pytest.raises(PaymentNotFound) as info:
        provider.fetch_status("nope")
    assert info.value.transient is False
    assert info.value.code == "payment_not_found"


def test_api_request_with_wrong_key_is_a_permanent_error(simulator: LiqPaySimulator) -> None:
    provider = LiqPayProvider({**CREDENTIALS, "private_key": "wrong"}, base_url=simulator.base_url)
    with pytest.raises(ProviderError) as info:
        provider.fetch_status("zp-000042")
    assert (info.value.transient, info.value.code) == (False, "bad_signature")


def test_full_refund(
    simulator: LiqPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    provider = start_checkout(simulator, receiver)
    simulator.pay("zp-000042")

    result = provider.refund(order_id="zp-000042", amount=15050, currency="UAH", comment="cancel")
    simulator.join_background()

    assert (result.status, result.provider_status) == ("succeeded", "reversed")
    assert [event.status for event in received] == ["succeeded", "refunded"]
    assert provider.fetch_status("zp-000042").status == "refunded"


def test_partial_refunds(
    simulator: LiqPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    provider = start_checkout(simulator, receiver)
    simulator.pay("zp-000042")

    first = provider.refund(order_id="zp-000042", amount=5000, currency="UAH", comment="")
    simulator.join_background()
    second = provider.refund(order_id="zp-000042", amount=5000, currency="UAH", comment="")
    simulator.join_background()
    too_much = provider.refund(order_id="zp-000042", amount=5100, currency="UAH", comment="")

    assert [first.status, second.status, too_much.status] == ["succeeded", "succeeded", "failed"]
    assert "refund_amount_limit" in too_much.message
    assert simulator.orders["zp-000042"].refunded == Decimal("100.00")
    refund_events = [event for event in received if event.provider_status == "reversed"]
    assert len({event.event_id for event in refund_events}) == 2  # distinct, not deduped
    assert provider.fetch_status("zp-000042").status == "succeeded"  # still partly paid


def test_refund_declined_by_provider(
    simulator: LiqPaySimulator, receiver: CallbackReceiver
) -> None:
    provider = start_checkout(simulator, receiver)
    simulator.pay("zp-000042")
    simulator.next_refund_error = ("limit", "Refund limit reached")
    result = provider.refund(order_id="zp-000042", amount=100, currency="UAH", comment="")
    assert (result.status, result.message) == ("failed", "limit Refund limit reached")


def test_version_7_round_trip(
    simulator: LiqPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    credentials = {**CREDENTIALS, "api_version": 7}
    provider = LiqPayProvider(credentials, base_url=simulator.base_url)
    form = provider.build_checkout(make_request(server_url=receiver.url))
    assert len(dict(form.fields)["signature"]) == 44  # SHA3-256
    assert post_form(form.action, form.fields).status_code == 200
    simulator.pay("zp-000042")
    assert received[0].raw["version"] == 7
    assert provider.fetch_status("zp-000042").status == "succeeded"


def test_http_5xx_is_transient(simulator: LiqPaySimulator) -> None:
    provider = LiqPayProvider(CREDENTIALS, base_url=simulator.base_url)
    simulator.inject_fault(status=503, times=1)
    with pytest.raises(ProviderError) as info:
        provider.fetch_status("zp-000042")
    assert info.value.transient is True
    with pytest.raises(PaymentNotFound):  # the fault was one-shot
        provider.fetch_status("zp-000042")


def test_timeout_is_transient_and_refund_outcome_unknown(simulator: LiqPaySimulator) -> None:
    provider = LiqPayProvider(CREDENTIALS, base_url=simulator.base_url, timeout=0.3)
    simulator.inject_fault(delay=2.0)
    with pytest.raises(ProviderError) as info:
        provider.refund(order_id="zp-000042", amount=100, currency="UAH", comment="")
    assert info.value.transient is True
    assert info.value.outcome_unknown is True


def test_dropped_connection_is_transient(simulator: LiqPaySimulator) -> None:
    provider = LiqPayProvider(CREDENTIALS, base_url=simulator.base_url)
    simulator.inject_fault(drop=True)
    with pytest.raises(ProviderError) as info:
        provider.fetch_status("zp-000042")
    assert info.value.transient is True


def test_garbled_reply_is_transient(simulator: LiqPaySimulator) -> None:
    provider = LiqPayProvider(CREDENTIALS, base_url=simulator.base_url)
    simulator.inject_fault(status=200)  # an HTML page where JSON was expected
    with pytest.raises(ProviderError) as info:
        provider.fetch_status("zp-000042")
    assert info.value.transient is True


def test_connection_refused_is_transient_and_never_sent() -> None:
    with LiqPaySimulator(private_keys={}) as sim:
        url = sim.base_url  # the port is closed once the simulator stops
    provider = LiqPayProvider(CREDENTIALS, base_url=url, timeout=1)
    with pytest.raises(ProviderError) as info:
        provider.refund(order_id="zp-000042", amount=100, currency="UAH", comment="")
    assert info.value.transient is True
    assert info.value.outcome_unknown is False


def test_expired_order_cannot_be_paid(
    simulator: LiqPaySimulator, receiver: CallbackReceiver
) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    start_checkout(simulator, receiver, expires_at=past)
    with pytest.raises(ValueError, match="expired"):
        simulator.pay("zp-000042")
