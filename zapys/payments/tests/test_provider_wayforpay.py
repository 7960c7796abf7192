"""WayForPay protocol layer: docs/providers.md vectors, Purchase form, callbacks, and
round trips through the local WayForPay simulator. No database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.simulators import (
    CallbackReceiver,
    SimRequest,
    SimResponse,
    WayForPaySimulator,
    post_form,
)
from zapys.payments.providers import (
    PROVIDERS,
    CheckoutRequest,
    InvalidCallback,
    PaymentNotFound,
    ProviderError,
    ProviderEvent,
    get_provider,
)
from zapys.payments.providers.base import format_amount, parse_amount
from zapys.payments.providers.wayforpay import (
    CALLBACK_SIGNED_FIELDS,
    Product,
    WayForPayProvider,
    amount_spellings,
    map_status,
    purchase_signature_values,
    sign,
)

DOC_SECRET = "dhkq3vUi94{Z!5frxs(02ML"
DOC_MESSAGE = (
    "test_merchant;www.market.ua;DH783023;1415379863;1547.36;UAH;"
    "Процессор Intel Core i5-4670 3.4GHz;Память Kingston DDR3-1600 4096MB PC3-12800;"
    "1;1;1000;547.36"
)
DOC_HMAC = "3f787303ac524389b4a76383f9508251"

ACCOUNT = "test_merch_n1"
SECRET = "flk3409refn54t54t*FNJRET"
CREDENTIALS = {
    "merchant_account": ACCOUNT,
    "secret_key": SECRET,
    "merchant_domain": "crm.example.com",
}
ORDER_DATE = 1_900_000_000
JSON = "application/json"


def make_request(**overrides: object) -> CheckoutRequest:
    values: dict[str, object] = {
        "order_id": "zp-000042",
        "amount": 154736,
        "currency": "UAH",
        "description": "Абонемент: 8 занять",
        "result_url": "https://crm.example.com/pay/done",
        "server_url": "https://crm.example.com/payments/callback/wayforpay",
        "language": "uk",
        "client_first_name": "Олена",
        "client_email": "olena@example.com",
    }
    values.update(overrides)
    return CheckoutRequest(**values)  # type: ignore[arg-type]


def provider_at(base_url: str | None = None, **kwargs: float) -> WayForPayProvider:
    provider = WayForPayProvider(CREDENTIALS, base_url=base_url, **kwargs)
    provider.clock = lambda: ORDER_DATE
    return provider


def callback_payload(secret: str = SECRET, **overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "merchantAccount": ACCOUNT,
        "orderReference": "zp-000042",
        "amount": 1547.36,
        "currency": "UAH",
        "authCode": "541963",
        "email": "olena@example.com",
        "phone": "380501234567",
        "createdDate": ORDER_DATE,
        "processingDate": ORDER_DATE + 60,
        "cardPan": "41****8217",
        "cardType": "Visa",
        "issuerBankCountry": "Ukraine",
        "issuerBankName": "Bank",
        "recToken": "",
        "transactionStatus": "Approved",
        "reason": "Ok",
        "reasonCode": 1100,
        "fee": 0,
        "paymentSystem": "card",
    }
    payload.update(overrides)
    texts = [
        value if isinstance(value, str) else json.dumps(value)
        for value in (payload[name] for name in CALLBACK_SIGNED_FIELDS)
    ]
    payload["merchantSignature"] = sign(secret, texts)
    return payload


def body_of(payload: dict[str, object]) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


# --------------------------------------------------------------------------- vectors


def test_documented_hmac_md5_vector() -> None:
    assert sign(DOC_SECRET, DOC_MESSAGE.split(";")) == DOC_HMAC


def test_products_are_flattened_names_counts_prices() -> None:
    values = purchase_signature_values(
        merchant_account="test_merchant",
        merchant_domain="www.market.ua",
        order_reference="DH783023",
        order_date="1415379863",
        amount=format_amount(154736),
        currency="UAH",
        products=[
            Product("Процессор Intel Core i5-4670 3.4GHz", format_amount(100000)),
            Product("Память Kingston DDR3-1600 4096MB PC3-12800", format_amount(54736)),
        ],
    )
    assert ";".join(values) == DOC_MESSAGE
    assert sign(DOC_SECRET, values) == DOC_HMAC


# --------------------------------------------------------------------------- purchase


def test_purchase_form_is_exactly_as_documented() -> None:
    form = provider_at().build_checkout(make_request())

    assert form.action == "https://secure.wayforpay.com/pay"
    assert form.method == "POST"
    signature = sign(
        SECRET,
        [
            *(ACCOUNT, "crm.example.com", "zp-000042", str(ORDER_DATE), "1547.36", "UAH"),
            *("Абонемент: 8 занять", "1", "1547.36"),  # names; counts; prices
        ],
    )
    assert form.fields == [
        ("merchantAccount", ACCOUNT),
        ("merchantAuthType", "SimpleSignature"),
        ("merchantDomainName", "crm.example.com"),
        ("merchantTransactionSecureType", "AUTO"),
        ("merchantSignature", signature),
        ("apiVersion", "1"),
        ("language", "UA"),
        ("returnUrl", "https://crm.example.com/pay/done"),
        ("serviceUrl", "https://crm.example.com/payments/callback/wayforpay"),
        ("orderReference", "zp-000042"),
        ("orderDate", str(ORDER_DATE)),
        ("amount", "1547.36"),
        ("currency", "UAH"),
        ("productName[]", "Абонемент: 8 занять"),
        ("productPrice[]", "1547.36"),
        ("productCount[]", "1"),
        ("clientFirstName", "Олена"),
        ("clientEmail", "olena@example.com"),
    ]


def test_purchase_with_expiry_and_english() -> None:
    expires = datetime.fromtimestamp(ORDER_DATE, UTC) + timedelta(hours=2)
    fields = provider_at().build_checkout(make_request(expires_at=expires, language="en")).fields
    assert ("orderLifetime", "7200") in fields
    assert ("language", "EN") in fields


def test_amount_is_formatted_once_and_reused() -> None:
    fields = provider_at().build_checkout(make_request(amount=100000)).fields
    assert ("amount", "1000") in fields
    assert ("productPrice[]", "1000") in fields


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": 0},
        {"amount": 10.5},
        {"description": ""},
        {"language": "pl"},
        {"expires_at": datetime(2030, 1, 1)},  # naive
        {"expires_at": datetime(2000, 1, 1, tzinfo=UTC)},  # already past
    ],
)
def test_purchase_rejects_bad_requests(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        provider_at().build_checkout(make_request(**overrides))


def test_base_url_override_points_both_hosts_at_it() -> None:
    provider = get_provider("wayforpay", CREDENTIALS, base_url="http://127.0.0.1:9")
    assert isinstance(provider, WayForPayProvider)
    assert provider.build_checkout(make_request()).action == "http://127.0.0.1:9/pay"
    assert provider.api_base_url == "http://127.0.0.1:9"
    assert WayForPayProvider(CREDENTIALS).api_base_url == "https://api.wayforpay.com"
    assert PROVIDERS["wayforpay"] is WayForPayProvider


def test_missing_credentials_fail_at_construction() -> None:
    with pytest.raises(ValueError, match="merchant_domain"):
        WayForPayProvider({"merchant_account": ACCOUNT, "secret_key": SECRET})


# --------------------------------------------------------------------------- callbacks


def test_parse_json_callback() -> None:
    event = provider_at().parse_callback(body_of(callback_payload()), JSON)
    assert event.order_id == "zp-000042"
    assert (event.status, event.provider_status) == ("succeeded", "Approved")
    assert (event.amount, event.currency) == (154736, "UAH")
    assert event.account_key == ACCOUNT
    assert event.provider_payment_id == "zp-000042"
    assert event.event_id == f"zp-000042:Approved:{ORDER_DATE + 60}"
    assert event.raw["amount"] == 1547.36


def test_parse_form_encoded_callback_variants() -> None:
    text = json.dumps(callback_payload(), ensure_ascii=False)
    provider = provider_at()
    as_key = urlencode({text: ""}).encode()
    raw_json_with_form_type = text.encode()
    for body in (as_key, raw_json_with_form_type):
        event = provider.parse_callback(body, "application/x-www-form-urlencoded")
        assert (event.order_id, event.status) == ("zp-000042", "succeeded")


def test_callback_amount_spellings() -> None:
    assert amount_spellings("1000.0") == ["1000.0", "1000", "1000.00"]
    payload = callback_payload(amount=1000)  # signed over "1000"
    payload["amount"] = 1000.0  # the same value, arriving as "1000.0"
    event = provider_at().parse_callback(body_of(payload), JSON)
    assert event.amount == 100000


def test_forged_callback_is_rejected() -> None:
    with pytest.raises(InvalidCallback, match="signature"):
        provider_at().parse_callback(body_of(callback_payload(secret="forger")), JSON)


def test_tampered_callback_is_rejected() -> None:
    payload = callback_payload(transactionStatus="Declined", reasonCode=1101)
    payload["transactionStatus"] = "Approved"
    with pytest.raises(InvalidCallback, match="signature"):
        provider_at().parse_callback(body_of(payload), JSON)


def test_callback_for_another_merchant_is_rejected() -> None:
    payload = callback_payload(merchantAccount="other_merchant")
    with pytest.raises(InvalidCallback, match="merchant"):
        provider_at().parse_callback(body_of(payload), JSON)


@pytest.mark.parametrize(
    "field",
    ["merchantAccount", "orderReference", "merchantSignature", "amount", "transactionStatus"],
)
def test_callback_missing_fields_is_rejected(field: str) -> None:
    payload = callback_payload()
    del payload[field]
    with pytest.raises(InvalidCallback, match=field):
        provider_at().parse_callback(body_of(payload), JSON)


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[1,2]", b"\xff\xfe", b'{"merchantAccount": "x"', b"a=1&b=2"]
)
def test_malformed_callback_is_rejected(body: bytes) -> None:
    with pytest.raises(InvalidCallback):
        provider_at().parse_callback(body, JSON)


def test_callback_with_nested_signed_value_is_rejected() -> None:
    payload = callback_payload()
    payload["authCode"] = {"nested": True}
    with pytest.raises(InvalidCallback):
        provider_at().parse_callback(body_of(payload), JSON)


def test_accept_reply_is_signed() -> None:
    provider = provider_at()
    event = provider.parse_callback(body_of(callback_payload()), JSON)
    reply = provider.callback_reply(event)
    assert (reply.status_code, reply.content_type) == (200, "application/json")
    assert json.loads(reply.body) == {
        "orderReference": "zp-000042",
        "status": "accept",
        "time": ORDER_DATE,
        "signature": sign(SECRET, ["zp-000042", "accept", str(ORDER_DATE)]),
    }


def test_reply_without_event() -> None:
    provider = provider_at()
    assert provider.callback_reply(None).status_code == 400
    reply = provider.callback_reply(None, order_id="zp-7")
    assert json.loads(reply.body)["orderReference"] == "zp-7"
    forged = body_of(callback_payload(secret="forger"))
    assert provider.peek_order_id(forged, JSON) == "zp-000042"
    assert provider.peek_order_id(b"junk", JSON) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Approved", "succeeded"),
        ("Declined", "failed"),
        ("Expired", "expired"),
        ("Refunded", "refunded"),
        ("Voided", "refunded"),
        ("Created", "pending"),
        ("InProcessing", "pending"),
        ("WaitingAuthComplete", "pending"),
        ("Pending", "pending"),
        ("RefundInProcessing", "pending"),
        ("SomethingNew", "pending"),
    ],
)
def test_status_mapping(status: str, expected: str) -> None:
    assert map_status(status) == expected


@given(st.integers(min_value=0, max_value=10**15))
def test_kopecks_round_trip_through_amount_text(kopecks: int) -> None:
    text = format_amount(kopecks)
    assert parse_amount(text) == kopecks
    assert text in amount_spellings(text)


# --------------------------------------------------------------------------- simulator


@pytest.fixture
def simulator() -> Iterator[WayForPaySimulator]:
    with WayForPaySimulator(secret_keys={ACCOUNT: SECRET}) as sim:
        yield sim


@pytest.fixture
def received() -> list[ProviderEvent]:
    return []


@pytest.fixture
def receiver(
    simulator: WayForPaySimulator, received: list[ProviderEvent]
) -> Iterator[CallbackReceiver]:
    provider = WayForPayProvider(CREDENTIALS, base_url=simulator.base_url)

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
    simulator: WayForPaySimulator, receiver: CallbackReceiver, **overrides: object
) -> WayForPayProvider:
    provider = WayForPayProvider(CREDENTIALS, base_url=simulator.base_url, timeout=2)
    form = provider.build_checkout(make_request(server_url=receiver.url, **overrides))
    response = post_form(form.action, form.fields)
    assert response.status_code == 200, response.text
    return provider


def test_purchase_pay_callback_and_accept(
    simulator: WayForPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    start_checkout(simulator, receiver)
    assert simulator.orders["zp-000042"].amount == Decimal("1547.36")

    response = simulator.pay("zp-000042")

    assert response.status_code == 200
    assert simulator.accepted == {"zp-000042": True}
    [event] = received
    assert (event.status, event.amount) == ("succeeded", 154736)


def test_form_encoded_callback_round_trip(
    simulator: WayForPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    start_checkout(simulator, receiver, amount=100000)
    simulator.pay("zp-000042", form_encoded=True)
    assert simulator.accepted["zp-000042"] is True
    assert received[0].amount == 100000


def test_payment_page_button_pays_and_returns_the_browser(
    simulator: WayForPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    start_checkout(simulator, receiver)
    response = post_form(
        simulator.base_url + "/_sim/complete",
        [("orderReference", "zp-000042"), ("status", "Declined")],
    )
    assert response.status_code == 303
    assert response.headers["location"] == "https://crm.example.com/pay/done"
    assert [event.status for event in received] == ["failed"]
    assert simulator.accepted["zp-000042"] is True


def test_declined_payment(
    simulator: WayForPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    start_checkout(simulator, receiver)
    simulator.pay("zp-000042", status="Declined")
    assert [event.status for event in received] == ["failed"]
    assert simulator.accepted["zp-000042"] is True  # a decline is acknowledged too


def test_simulator_notices_a_bad_accept(simulator: WayForPaySimulator) -> None:
    def wrong_reply(request: SimRequest) -> SimResponse:
        reply = {"orderReference": "zp-000042", "status": "accept", "time": 1, "signature": "x"}
        return SimResponse.json(reply)

    with CallbackReceiver(wrong_reply) as bad_receiver:
        start_checkout(simulator, bad_receiver)
        simulator.pay("zp-000042")
    assert simulator.accepted["zp-000042"] is False


def test_simulator_rejects_a_forged_purchase(simulator: WayForPaySimulator) -> None:
    form = WayForPayProvider({**CREDENTIALS, "secret_key": "wrong"}).build_checkout(make_request())
    response = post_form(simulator.base_url + "/pay", form.fields)
    assert response.status_code == 400
    assert simulator.rejections == [("/pay", 1113)]


def test_fetch_status(simulator: WayForPaySimulator, receiver: CallbackReceiver) -> None:
    provider = start_checkout(simulator, receiver)
    assert provider.fetch_status("zp-000042").status == "pending"  # Created
    simulator.pay("zp-000042")

    event = provider.fetch_status("zp-000042")

    assert (event.status, event.amount, event.account_key) == ("succeeded", 154736, ACCOUNT)


def test_status_poll_and_callback_share_the_event_id(
    simulator: WayForPaySimulator, receiver: CallbackReceiver, received: list[ProviderEvent]
) -> None:
    provider = start_checkout(simulator, receiver)
    simulator.pay("zp-000042")
    assert provider.fetch_status("zp-000042").event_id == received[0].event_id


def test_fetch_status_of_unknown_order(simulator: WayForPaySimulator) -> None:
    provider = WayForPayProvider(CREDENTIALS, base_url=simulator.base_url)
    with pytest.raises(PaymentNotFound) as info:
        provider.fetch_status("nope")
    assert (info.value.transient, info.value.code) == (False, "1127")


def test_api_request_with_wrong_secret_is_a_permanent_error(simulator: WayForPaySimulator) -> None:
    provider = WayForPayProvider(
        {**CREDENTIALS, "secret_key": "wrong"}, base_url=simulator.base_url
    )
    with pytest.raises(ProviderError) as info:
        provider.fetch_status("zp-000042")
    assert (info.value.transient, info.value.code) == (False, "1113")


def test_status_reply_signed_with_another_secret_is_refused(
    simulator: WayForPaySimulator, receiver: CallbackReceiver
) -> None:
    start_checkout(simulator, receiver)
    simulator.pay("zp-000042")
    simulator.secret_keys[ACCOUNT] = "rotated"  # the simulator now signs with another key
    provider = WayForPayProvider(CREDENTIALS, base_url=simulator.base_url)
    with pytest.raises(ProviderError):
        provider.fetch_status("zp-000042")


def test_status_reply_may_leave_out_account_and_order() -> None:
    reply = callback_payload()
    del reply["merchantAccount"], reply["orderReference"]  # still covered by the signature

    with CallbackReceiver(lambda request: SimResponse.json(reply)) as fake_api:
        event = WayForPayProvider(CREDENTIALS, base_url=fake_api.base_url).fetch_status("zp-000042")
        sent = fake_api.received[0].json()

    assert (event.order_id, event.account_key, event.status) == ("zp-000042", ACCOUNT, "succeeded")
    assert sent["merchantSignature"] == sign(SECRET, [ACCOUNT, "zp-000042"])
    assert (sent["transactionType"], sent["apiVersion"]) == ("CHECK_STATUS", 1)


def test_refund_request_signs_the_amount_text_it_sends_as_a_number() -> None:
    reply = {"orderReference": "zp-1", "transactionStatus": "Refunded", "reasonCode": 1100}
    reply["merchantSignature"] = sign(SECRET, [ACCOUNT, "zp-1", "Refunded", "1100"])

    with CallbackReceiver(lambda request: SimResponse.json(reply)) as fake_api:
        provider = WayForPayProvider(CREDENTIALS, base_url=fake_api.base_url)
        result = provider.refund(order_id="zp-1", amount=15050, currency="UAH", comment="")
        body = fake_api.received[0].body

    assert result.status == "succeeded"
    assert b'"amount":150.5,' in body
    sent = json.loads(body)
    assert sent["comment"] == "Refund"
    assert sent["merchantSignature"] == sign(SECRET, [ACCOUNT, "zp-1", "150.5", "UAH"])


def test_full_refund(simulator: WayForPaySimulator, receiver: CallbackReceiver) -> None:
    provider = start_checkout(simulator, receiver)
    simulator.pay("zp-000042")

    result = provider.refund(order_id="zp-000042", amount=154736, currency="UAH", comment="cancel")

    assert (result.status, result.provider_status) == ("succeeded", "Refunded")
    assert provider.fetch_status("zp-000042").status == "refunded"


def test_partial_refunds(simulator: WayForPaySimulator, receiver: CallbackReceiver) -> None:
    provider = start_checkout(simulator, receiver, amount=100000)
    simulator.pay("zp-000042")

    first = provider.refund(order_id="zp-000042", amount=25050, currency="UAH", comment="")
    second = provider.refund(order_id="zp-000042", amount=70000, currency="UAH", comment="x")
    too_much = provider.refund(order_id="zp-000042", amount=5000, currency="UAH", comment="x")

    assert [first.status, second.status, too_much.status] == ["succeeded", "succeeded", "failed"]
    assert "1128" in too_much.message
    assert simulator.orders["zp-000042"].refunded == Decimal("950.50")
    assert provider.fetch_status("zp-000042").status == "succeeded"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (("Declined", 1123, "Refund not allowed"), "failed"),
        (("RefundInProcessing", 1138, "Refund in processing"), "pending"),
        (("Voided", 1100, "Ok"), "succeeded"),
    ],
)
def test_refund_answers(
    simulator: WayForPaySimulator,
    receiver: CallbackReceiver,
    answer: tuple[str, int, str],
    expected: str,
) -> None:
    provider = start_checkout(simulator, receiver)
    simulator.pay("zp-000042")
    simulator.next_refund_status = answer
    result = provider.refund(order_id="zp-000042", amount=100, currency="UAH", comment="x")
    assert (result.status, result.provider_status) == (expected, answer[0])


def test_refund_before_payment_is_refused(
    simulator: WayForPaySimulator, receiver: CallbackReceiver
) -> None:
    provider = start_checkout(simulator, receiver)
    result = provider.refund(order_id="zp-000042", amount=100, currency="UAH", comment="x")
    assert (result.status, result.provider_status) == ("failed", "")
    assert "1126" in result.message


def test_http_5xx_is_transient(simulator: WayForPaySimulator) -> None:
    provider = WayForPayProvider(CREDENTIALS, base_url=simulator.base_url)
    simulator.inject_fault(status=502, path="/api")
    with pytest.raises(ProviderError) as info:
        provider.fetch_status("zp-000042")
    assert info.value.transient is True


def test_timeout_is_transient(simulator: WayForPaySimulator) -> None:
    provider = WayForPayProvider(CREDENTIALS, base_url=simulator.base_url, timeout=0.3)
    simulator.inject_fault(delay=2.0, times=1)
    with pytest.raises(ProviderError) as info:
        provider.refund(order_id="zp-000042", amount=100, currency="UAH", comment="x")
    assert (info.value.transient, info.value.outcome_unknown) == (True, True)


def test_dropped_connection_is_transient(simulator: WayForPaySimulator) -> None:
    provider = WayForPayProvider(CREDENTIALS, base_url=simulator.base_url)
    simulator.inject_fault(drop=True)
    with pytest.raises(ProviderError) as info:
        provider.fetch_status("zp-000042")
    assert info.value.transient is True


def test_expired_order_cannot_be_paid(
    simulator: WayForPaySimulator, receiver: CallbackReceiver
) -> None:
    start_checkout(simulator, receiver, expires_at=datetime.now(UTC) + timedelta(seconds=2))
    simulator.orders["zp-000042"].order_date = str(int(datetime.now(UTC).timestamp()) - 60)
    with pytest.raises(ValueError, match="orderLifetime"):
        simulator.pay("zp-000042")
