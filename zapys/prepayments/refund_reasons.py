"""Why a refund to the card failed, said so staff know what to do.

A provider that declines a refund answers with its own code: the sandbox's
`not_refundable`, LiqPay's `err_code` (`payment_not_found`, `err_access`, …), WayForPay's
`reason (reasonCode)` ("Refund Not Allowed (1123)"). Those codes are for the audit log and
the raw data; a page, a staff notification or a report shows `refund_failure_text`: one
sentence in the active language saying what happened and what to do next. Codes not known
here get a generic sentence — never the code itself.

`refund_failure_parse` turns what the payments app stored for the failed request (its
provider, the provider's status and message) into the `(code, detail)` pair kept on the
booking (`refund_error_code`, `refund_error`); `refund_failure_text` reads that pair.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# What happened, one kind per sentence. The codes are the providers' own (lower-cased);
# WayForPay's numeric reason codes and its reason texts are both listed because a reply
# may carry either. Our own codes: `no_answer` (timeout, 5xx, garbled reply — nothing was
# refunded), `not_paid` (the payment is not in a state that can be refunded here).
NOT_REFUNDABLE = "not_refundable"
AMOUNT_LIMIT = "amount_limit"
NOT_FOUND = "not_found"
MERCHANT_FUNDS = "merchant_funds"
ACCOUNT = "account"
IN_PROGRESS = "in_progress"
NO_ANSWER = "no_answer"
GENERIC = "generic"

_KIND_OF_CODE: dict[str, str] = {
    # sandbox (payments/sandbox.py sandbox_api)
    "not_refundable": NOT_REFUNDABLE,
    "refund_amount_limit": AMOUNT_LIMIT,
    "not_found": NOT_FOUND,
    "invalid_action": ACCOUNT,
    # ours
    "no_answer": NO_ANSWER,
    "not_paid": NOT_REFUNDABLE,
    # LiqPay err_code
    "payment_err_status": NOT_REFUNDABLE,
    "err_payment_refund": NOT_REFUNDABLE,
    "payment_not_found": NOT_FOUND,
    "err_limit_amount": AMOUNT_LIMIT,
    "amount_limit": AMOUNT_LIMIT,
    "err_payment_amount_limit": AMOUNT_LIMIT,
    "wrong_amount_currency": AMOUNT_LIMIT,
    "limit": AMOUNT_LIMIT,
    "payment_processing": IN_PROGRESS,
    "processing": IN_PROGRESS,
    "invalid_signature": ACCOUNT,
    "err_signature": ACCOUNT,
    "public_key_not_found": ACCOUNT,
    "err_access": ACCOUNT,
    "err_api_ip": ACCOUNT,
    "err_api_action": ACCOUNT,
    "err_blocked": ACCOUNT,
    "shop_blocked": ACCOUNT,
    "shop_not_active": ACCOUNT,
    "err_shop_not_agent": ACCOUNT,
    # WayForPay reasonCode
    "1104": MERCHANT_FUNDS,
    "1113": ACCOUNT,
    "1117": ACCOUNT,
    "1118": ACCOUNT,
    "1121": ACCOUNT,
    "1123": NOT_REFUNDABLE,
    "1126": NOT_REFUNDABLE,
    "1127": NOT_FOUND,
    "1128": AMOUNT_LIMIT,
    "1130": AMOUNT_LIMIT,
    "1131": IN_PROGRESS,
    "1136": MERCHANT_FUNDS,
    "1138": IN_PROGRESS,
    # WayForPay transactionStatus of a refund that did not go through
    "declined": NOT_REFUNDABLE,
    "refundinprocessing": IN_PROGRESS,
}

# WayForPay's reason texts (and LiqPay's descriptions), matched in the detail when the
# code is missing or unknown. Lower-cased substrings.
_KIND_OF_PHRASE: tuple[tuple[str, str], ...] = (
    ("refund not allowed", NOT_REFUNDABLE),
    ("illegal order state", NOT_REFUNDABLE),
    ("refund limit", AMOUNT_LIMIT),
    ("invalid amount", AMOUNT_LIMIT),
    ("order not found", NOT_FOUND),
    ("payment not found", NOT_FOUND),
    ("merchant balance", MERCHANT_FUNDS),
    ("insufficient funds", MERCHANT_FUNDS),
    ("refundinprocessing", IN_PROGRESS),
    ("in processing", IN_PROGRESS),
    ("invalid signature", ACCOUNT),
    ("merchant restriction", ACCOUNT),
    ("account not found", ACCOUNT),
)


def refund_failure_kind(code: str, detail: str = "") -> str:
    """The kind of failure (one of the constants above) of a provider's code/detail."""
    kind = _KIND_OF_CODE.get((code or "").strip().lower())
    if kind:
        return kind
    lowered = (detail or "").lower()
    for phrase, phrase_kind in _KIND_OF_PHRASE:
        if phrase in lowered:
            return phrase_kind
    return GENERIC


def refund_failure_text(code: str, detail: str = "") -> str:
    """One sentence, in the active language, for staff: what happened and what to do.

    `code` is the provider's code as kept on the booking (`refund_error_code`), `detail`
    the provider's own words (`refund_error`); neither is ever part of the sentence."""
    kind = refund_failure_kind(code, detail)
    if kind == NOT_REFUNDABLE:
        return _(
            "The provider no longer allows refunding this payment. Give the money back in "
            "cash or by bank transfer and record it on the client's card."
        )
    if kind == AMOUNT_LIMIT:
        return _(
            "The provider says this is more than is left to refund on the payment (part of "
            "it may have gone back already). Check the payment's refunds before retrying."
        )
    if kind == NOT_FOUND:
        return _(
            "The provider cannot find this payment. Check that the payment account in the "
            "settings has not changed, then retry; or give the money back in cash and record it."
        )
    if kind == MERCHANT_FUNDS:
        return _(
            "There is not enough money on your account at the provider to refund this "
            "payment. Retry once the day's payments have arrived there."
        )
    if kind == ACCOUNT:
        return _(
            "The provider refused the request because of the payment account's settings "
            "(keys or access). Check the payment account in the settings, then retry."
        )
    if kind == IN_PROGRESS:
        return _(
            "The provider is still processing a refund of this payment. Wait a few minutes "
            "and retry only if the money has not gone back."
        )
    if kind == NO_ANSWER:
        return _(
            "The provider did not answer, so nothing was refunded. Retry the refund in a "
            "few minutes."
        )
    return _(
        "The provider refused the refund. Retry it later; if it is refused again, give the "
        "money back in cash or by bank transfer and record it on the client's card."
    )


_LIQPAY_CODE = re.compile(r"^([a-z0-9_]+)(?:\s+(.*))?$", re.DOTALL)
_WAYFORPAY_REASON = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$", re.DOTALL)


def refund_failure_parse(provider: str, provider_status: str, message: str) -> tuple[str, str]:
    """`(code, detail)` of a failed refund request as the payments app stored it
    (PaymentRefund.provider_status / message; how each provider module fills them:
    payments/providers/*.py `refund`)."""
    message = (message or "").strip()
    provider_status = (provider_status or "").strip()
    if provider == "wayforpay":
        match = _WAYFORPAY_REASON.match(message)
        if match:
            reason, code = match.group(1).strip(), match.group(2).strip()
            return (code or provider_status)[:60], reason
        return provider_status[:60], message
    if provider == "liqpay":
        match = _LIQPAY_CODE.match(message)
        if match:
            return match.group(1)[:60], (match.group(2) or "").strip()
        return ("" if provider_status in ("", "error") else provider_status)[:60], message
    # The sandbox puts its code in the message, alone.
    if re.fullmatch(r"[a-z0-9_]+", message):
        return message[:60], ""
    return "", message
