"""A declined refund is said for staff in words, never by the provider's code."""

from __future__ import annotations

import pytest
from django.utils import translation

from zapys.prepayments.refund_reasons import (
    AMOUNT_LIMIT,
    GENERIC,
    NOT_FOUND,
    NOT_REFUNDABLE,
    refund_failure_kind,
    refund_failure_parse,
    refund_failure_text,
)


@pytest.mark.parametrize(
    ("provider", "status", "message", "expected"),
    [
        ("sandbox", "error", "not_refundable", ("not_refundable", "")),
        (
            "liqpay",
            "error",
            "payment_not_found Payment not found",
            ("payment_not_found", "Payment not found"),
        ),
        ("liqpay", "error", "Something odd", ("", "Something odd")),
        ("wayforpay", "Declined", "Refund Not Allowed (1123)", ("1123", "Refund Not Allowed")),
        ("wayforpay", "", "Invalid signature ()", ("", "Invalid signature")),
    ],
)
def test_what_the_payments_app_stored_is_split_into_code_and_detail(
    provider, status, message, expected
):
    assert refund_failure_parse(provider, status, message) == expected


@pytest.mark.parametrize(
    ("code", "detail", "kind"),
    [
        ("not_refundable", "", NOT_REFUNDABLE),
        ("refund_amount_limit", "", AMOUNT_LIMIT),
        ("NOT_FOUND", "", NOT_FOUND),
        ("1123", "Refund Not Allowed", NOT_REFUNDABLE),
        ("", "Refund Limit Excended", AMOUNT_LIMIT),  # WayForPay's own spelling
        ("9999", "Order Not Found", NOT_FOUND),
        ("err_whatever", "", GENERIC),
        ("", "", GENERIC),
    ],
)
def test_known_codes_and_reason_texts_name_the_kind(code, detail, kind):
    assert refund_failure_kind(code, detail) == kind


@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize(
    "code",
    [
        "not_refundable",
        "refund_amount_limit",
        "not_found",
        "1136",
        "err_access",
        "1138",
        "no_answer",
        "x_y",
    ],
)
def test_every_sentence_is_translated_and_shows_no_code(language, code):
    with translation.override(language):
        text = refund_failure_text(code, "raw words of the provider")
    assert code not in text and "raw words" not in text
    assert text.endswith(".")
    cyrillic = any("а" <= ch.lower() <= "я" or ch in "іїєґ" for ch in text)
    assert cyrillic == (language == "uk"), text


def test_the_not_refundable_sentence_says_what_to_do():
    with translation.override("en"):
        text = refund_failure_text("not_refundable", "")
    assert "give the money back in cash" in text.lower().replace(
        "give the money back in cash or", "give the money back in cash"
    )
