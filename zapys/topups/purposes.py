"""The top-up purpose (found by `payments.purposes.purposes_discover`).

A declined top-up offers "Try again" on the checkout; it never offers "pay from the balance"
(moving money from the balance onto the balance changes nothing) and asks for no agreement.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from zapys.payments.purposes import Purpose, purpose_declare
from zapys.topups.services import (
    TOP_UP,
    top_up_failed,
    top_up_refunded,
    top_up_retry,
    top_up_succeeded,
)

TOP_UP_PURPOSE = purpose_declare(
    Purpose(
        key=TOP_UP,
        label=gettext_lazy("Balance top-up"),
        on_succeeded=top_up_succeeded,
        on_failed=top_up_failed,
        on_refunded=top_up_refunded,
        # Back to the payment's own page, which says the balance was topped up.
        return_url=lambda payment: None,
        retry=top_up_retry,
        # the business's name is the page's heading already
        describe=lambda payment: gettext("Balance top-up"),
    )
)
