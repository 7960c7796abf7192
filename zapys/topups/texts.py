"""What a top-up's ledger comments say (issue 17).

They read «Онлайн-поповнення, платіж №12» and «Повернення онлайн-оплати №12»: a payment
number nobody at the desk knows, and no link to follow (the client's entries and the payments
report show the comment as text). What staff do recognise is how the money came — the
payment service, as the client's payments tab and the payments list name it — with the
date and the amount beside it: «Онлайн-поповнення балансу (LiqPay)», «Повернення
онлайн-поповнення (LiqPay)». The test provider is named in the reader's language («Тестові
платежі» / "Test payments"); LiqPay and WayForPay are names.

The texts these replaced stay in the catalogue (`FORMER_TEXTS`): rows stored before keep
their msgid and the payment's number and still render in each language.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from zapys.core.stored_text import Param, StoredText
from zapys.payments.models import Payment, PaymentAccount


def _provider(payment: Payment) -> Param | None:
    """The payment service as staff read it (the callback path has the account loaded)."""
    if payment.account_id is None:
        return None
    provider = payment.account.provider
    if provider == PaymentAccount.Provider.SANDBOX:
        return StoredText(gettext_noop("Test payments"))
    return str(PaymentAccount.Provider(provider).label)


def top_up_text(payment: Payment) -> StoredText:
    """«Онлайн-поповнення балансу (LiqPay)»."""
    provider = _provider(payment)
    if provider is None:
        return StoredText(gettext_noop("Online balance top-up"))
    return StoredText(gettext_noop("Online balance top-up (%(provider)s)"), provider=provider)


def top_up_refund_text(payment: Payment) -> StoredText:
    """«Повернення онлайн-поповнення (LiqPay)»."""
    provider = _provider(payment)
    if provider is None:
        return StoredText(gettext_noop("Refund of an online top-up"))
    return StoredText(gettext_noop("Refund of an online top-up (%(provider)s)"), provider=provider)


#: What the comments said before: rows stored then keep these msgids and the payment's
#: number, so the catalogue keeps them (marked here, so `makemessages` does not drop them).
FORMER_TEXTS = (
    gettext_noop("Online top-up, payment #%(id)s"),
    gettext_noop("Refund of online payment #%(id)s"),
)
