"""The visit checkout's purpose (found by `payments.purposes.purposes_discover`): the online
link staff send from the visit card. Its success settles the visit; a declined or expired
link leaves the visit to pay (staff send another or take the money at the desk). No balance
(the balance is already counted in what is due) and no agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.checkout.models import Checkout
from zapys.checkout.services import (
    VISIT_CHECKOUT,
    visit_checkout_failed,
    visit_checkout_paid,
    visit_checkout_refunded,
    visit_checkout_return_url,
)
from zapys.payments.purposes import Purpose, purpose_declare

if TYPE_CHECKING:
    from zapys.payments.models import Payment


def visit_checkout_describe(payment: Payment) -> str:
    row = (
        Checkout.objects.for_org(payment.organization)
        .select_related("visit")
        .filter(payment=payment)
        .first()
    )
    if row is None:
        return payment.description
    return _("Payment for %(what)s") % {"what": row.visit.title}


VISIT_CHECKOUT_PURPOSE = purpose_declare(
    Purpose(
        key=VISIT_CHECKOUT,
        label=gettext_lazy("Payment for a visit"),
        on_succeeded=visit_checkout_paid,
        on_failed=visit_checkout_failed,
        on_refunded=visit_checkout_refunded,
        return_url=visit_checkout_return_url,
        describe=visit_checkout_describe,
    )
)
