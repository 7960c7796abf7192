"""Writes of the prepayment app, one module per concern:

- `prepayment_settings`: the settings, the cancellation status, each branch's payment type;
- `booking_types`: how much a booking asks for;
- `rules`: which visits require a prepayment (B3);
- `booking_start`: a booking is made (by staff or an online self-booking), its terms
  accepted, its payment retried after a declined card;
- `booking_paid`: money arrives — through the provider (on time, late, twice) or from the
  balance (X5);
- `refunds`: money goes back through the provider;
- `cancellation`: staff cancel a booking or restore one paid late;
- `policies`: cancellation policies (X3): presets, custom ones, validation;
- `visit_money`: a visit holding money cancelled or not attended (V2): fee, rest, refund;
- `notices`, `visit_side`: what every step shares (messages and staff notifications; the
  visit, written through the schedule's services).

Every status change of a booking is a conditional UPDATE (`filter(status__in=...)
.update()`, row count checked): a payment callback and the expiry sweep may race, and
exactly one of them wins. The loser does not lose money: a payment that finds its
booking already expired/cancelled/paid is credited to the client's balance and flagged
(`paid_late` / `extra_payments`) for staff to decide (restore the visit or refund).

Callers import from `zapys.prepayments.services`; the names below are the public ones.
Reads (what a booking would cost, whether a visit needs one, the message variables) live
in `zapys.prepayments.selectors`; the deadlines in `zapys.prepayments.sweeps`.
"""

from zapys.prepayments.services.booking_link import booking_extend, booking_link_resend
from zapys.prepayments.services.booking_paid import (
    booking_pay_from_balance,
    booking_payment_succeeded,
)
from zapys.prepayments.services.booking_start import (
    ACTIVE,
    BOOKING_ACTIVE,
    MIN_MINUTES_TO_PAY,
    PURPOSE,
    booking_accept_terms,
    booking_create,
    booking_deadline,
    booking_payment_retry,
    online_visit_created,
    visit_pay_at_desk,
)
from zapys.prepayments.services.booking_types import booking_type_create, booking_type_update
from zapys.prepayments.services.cancellation import (
    booking_cancel,
    booking_cancellable,
    booking_restore,
)
from zapys.prepayments.services.fees import fees_charge_due
from zapys.prepayments.services.policies import (
    PRESETS,
    cancellation_policy_create,
    cancellation_policy_update,
    policy_presets_ensure,
)
from zapys.prepayments.services.prepayment_settings import (
    CHANNELS,
    MAX_CANCEL_DELAY_MINUTES,
    MAX_LINK_HOURS,
    MAX_RELEASE_MINUTES,
    SETTINGS_FIELDS,
    branch_finance_set,
    cancel_status_create,
    cancel_status_for,
    prepayment_settings_get,
    prepayment_settings_update,
)
from zapys.prepayments.services.refunds import (
    booking_payment_refunded,
    booking_refund,
    booking_refund_retry,
)
from zapys.prepayments.services.rules import prepayment_rule_create, prepayment_rule_delete
from zapys.prepayments.services.visit_money import (
    fee_waive,
    visit_cancel_page,
    visit_status_changed,
    visit_status_locking,
)

__all__ = [
    "ACTIVE",
    "BOOKING_ACTIVE",
    "CHANNELS",
    "MAX_CANCEL_DELAY_MINUTES",
    "MAX_LINK_HOURS",
    "MAX_RELEASE_MINUTES",
    "MIN_MINUTES_TO_PAY",
    "PRESETS",
    "PURPOSE",
    "SETTINGS_FIELDS",
    "booking_accept_terms",
    "booking_cancel",
    "booking_cancellable",
    "booking_create",
    "booking_deadline",
    "booking_extend",
    "booking_link_resend",
    "booking_pay_from_balance",
    "booking_payment_refunded",
    "booking_payment_retry",
    "booking_payment_succeeded",
    "booking_refund",
    "booking_refund_retry",
    "booking_restore",
    "booking_type_create",
    "booking_type_update",
    "branch_finance_set",
    "cancel_status_create",
    "cancel_status_for",
    "cancellation_policy_create",
    "cancellation_policy_update",
    "fee_waive",
    "fees_charge_due",
    "online_visit_created",
    "policy_presets_ensure",
    "prepayment_rule_create",
    "prepayment_rule_delete",
    "prepayment_settings_get",
    "prepayment_settings_update",
    "visit_cancel_page",
    "visit_pay_at_desk",
    "visit_status_changed",
    "visit_status_locking",
]
