"""The protocol client for a payment account, pointed where the configuration says (a
simulator in tests and staging, the real host otherwise), and the callback address Zapys gives
the provider. Used by the services (callbacks, refunds, reconciliation) and by the checkout's
read of the provider's form."""

from __future__ import annotations

from zapys.payments.config import provider_base_url, provider_timeout, public_url
from zapys.payments.models import PaymentAccount
from zapys.payments.providers import Provider, get_provider


def provider_for(account: PaymentAccount) -> Provider:
    """A protocol client for the account, pointed at the configured base URL."""
    provider = get_provider(
        account.provider, account.credentials, base_url=provider_base_url(account.provider)
    )
    provider.timeout = provider_timeout()
    return provider


def callback_url(account: PaymentAccount) -> str:
    return public_url("payments:callback", provider=account.provider, account_id=account.public_id)
