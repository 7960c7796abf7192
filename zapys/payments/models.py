"""Online payments: the organization's provider accounts, payments and what providers said.

A `Payment` is money a client is asked to pay online for some *purpose* (a balance
top-up, a booking prepayment, an invoice, a membership sold online). The payments app
knows nothing about those purposes: it stores a purpose key plus a generic link
(`purpose_type`, `purpose_id`) and calls the handler registered for the key
(`zapys.payments.purposes`).

Status only moves through the transition functions in `services.py`, each a
conditional UPDATE (DESIGN rule 7):

    created → pending → succeeded | failed | expired
    failed | expired → succeeded        (the money came anyway: a late callback)
    succeeded → partially_refunded → refunded
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.core.crypto import decrypt_json, encrypt_json
from zapys.core.fields import MoneyField
from zapys.core.money import format_money
from zapys.core.system_names import shown_name
from zapys.core.tenancy import OrgOwned
from zapys.core.tokens import new_public_token
from zapys.payments.purposes import purpose_label


@lru_cache(maxsize=256)
def _decrypted_credentials(token: str, key: tuple[str, str]) -> dict[str, Any]:
    """Decrypted once per process for each stored value (every callback needs the keys);
    `key` is in the cache key so a changed encryption key is never served stale."""
    return decrypt_json(token)


#: The test provider has one name, on every page and select: "Test payments". The demo's
#: account and an account added without a name store it in the organization's language: a
#: system name (`PaymentAccount.display_name` shows it in the page's language).
DEMO_ACCOUNT_NAME = gettext_noop("Test payments")
#: How such accounts were named before, in both languages: still system names. Three names
#: for one thing ("Sandbox", «Пісочниця (тестові платежі)», «Тестові платежі (демо)») stood
#: side by side in the invoice settings' select of accounts.
DEMO_ACCOUNT_OLD_NAMES = (
    "Sandbox",
    "Пісочниця",
    "Sandbox (test payments)",
    "Пісочниця (тестові платежі)",
    "Test payments (demo)",
    "Тестові платежі (демо)",
)


def new_account_public_id() -> str:
    """The account's id in callback URLs: random, so URLs do not enumerate accounts."""
    return secrets.token_hex(8)


def new_order_id() -> str:
    """Order reference sent to the provider: unguessable, ≤ 255 chars, URL-safe."""
    return "zp" + secrets.token_hex(12)


class PaymentAccount(OrgOwned):
    """One merchant account of the organization at a provider (credentials encrypted)."""

    class Provider(models.TextChoices):
        LIQPAY = "liqpay", "LiqPay"
        WAYFORPAY = "wayforpay", "WayForPay"
        SANDBOX = "sandbox", _("Test payments")

    public_id = models.CharField(max_length=32, unique=True, default=new_account_public_id)
    provider = models.CharField(_("payment service"), max_length=20, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=100)
    # Non-secret identifier at the provider (LiqPay public_key, WayForPay merchantAccount)
    # kept in clear for display; everything else lives in `credentials_encrypted`.
    account_key = models.CharField(_("shop ID at the payment service"), max_length=200, blank=True)
    credentials_encrypted = models.TextField(editable=False)
    is_default = models.BooleanField(_("default account"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment account")
        verbose_name_plural = _("payment accounts")
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_default=True),
                name="payments_one_default_account",
            )
        ]

    def __str__(self) -> str:
        # "Sandbox (Пісочниця (тестові платежі))" read like a typo: a name that only repeats
        # the provider shows the provider once, any other name is followed by it.
        provider = str(self.get_provider_display())
        name = self.display_name
        if name.strip().casefold() in (self.provider, provider.casefold(), ""):
            return provider
        return f"{name} · {provider}"

    @property
    def display_name(self) -> str:
        """The name in the page's language when the system gave it (the provider's label,
        which the demo and `payment_account_create` store when no name was typed; the test
        provider's older names too), in whichever language it was stored; a typed name as
        typed ("Sandbox" typed for a LiqPay account is a person's word)."""
        provider = self.Provider(self.provider) if self.provider in self.Provider else None
        older = DEMO_ACCOUNT_OLD_NAMES if provider == self.Provider.SANDBOX else ()
        return shown_name(self.name, provider.label if provider is not None else None, older)

    @property
    def credentials(self) -> dict[str, Any]:
        key = (settings.ZAPYS_ENCRYPTION_KEY, settings.SECRET_KEY)
        return dict(_decrypted_credentials(self.credentials_encrypted, key))

    def set_credentials(self, credentials: dict[str, Any]) -> None:
        self.credentials_encrypted = encrypt_json(credentials)


class Payment(OrgOwned):
    class Status(models.TextChoices):
        # Capitalised: a status stands alone (a badge, "Status: Paid" in the audit log).
        CREATED = "created", _("Created")
        PENDING = "pending", _("Awaiting payment")
        SUCCEEDED = "succeeded", _("Paid")
        # «Не вдалося», not the «Помилка» of a failed message or receipt: the payer's
        # attempt did not go through (issue 17); a context of its own for that.
        FAILED = "failed", pgettext_lazy("payment status", "Failed")
        EXPIRED = "expired", _("Expired")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")

    account = models.ForeignKey(PaymentAccount, on_delete=models.PROTECT, related_name="payments")
    branch = models.ForeignKey(
        "accounts.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=40, db_index=True)
    purpose_type = models.CharField(max_length=100, blank=True)
    purpose_id = models.CharField(max_length=64, blank=True)
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = MoneyField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="UAH")
    description = models.CharField(_("description"), max_length=250)
    order_id = models.CharField(max_length=64, unique=True, default=new_order_id)
    token = models.CharField(max_length=64, unique=True, default=new_public_token)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    refunded_amount = MoneyField(_("refunded"), default=0)
    provider_payment_id = models.CharField(max_length=100, blank=True)
    provider_status = models.CharField(max_length=40, blank=True)
    held_for_review = models.BooleanField(_("held for review"), default=False)
    review_reason = models.CharField(_("review reason"), max_length=300, blank=True)
    expires_at = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # When the client first opened the payment's page (the payment-link funnel, X9).
    opened_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # A new attempt after a declined card points back to the declined payment (which stays
    # as it was). One-to-one: the database refuses a second attempt from the same link.
    retry_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retried_by"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["organization", "purpose_type", "purpose_id"]),
        ]

    def __str__(self) -> str:
        # What the audit log and staff pages show: «Передоплата зі списку очікування,
        # 300,00 грн» — the purpose's label (never its key) and the amount, not the
        # payment's number (it read «#12 Prepayment … UAH 300.00»: a number nobody knows).
        language = (translation.get_language() or "uk")[:2]
        amount = format_money(self.amount, self.currency, language)
        return f"{self.purpose_label}, {amount}"

    @property
    def purpose_label(self) -> str:
        """What the payment is for, as people read it (the declaring app's label)."""
        return purpose_label(self.purpose)

    @property
    def payment_url(self) -> str:
        from zapys.payments.config import public_url

        return public_url("payments:page", token=self.token)

    @property
    def refundable_amount(self) -> int:
        return self.amount - self.refunded_amount

    @property
    def provider(self) -> str:
        return self.account.provider


class PaymentEvent(OrgOwned):
    """A verified statement of a provider about a payment, stored before it is acted on.

    The UNIQUE (account, dedupe_key) constraint is what makes callbacks idempotent: a
    replayed callback (or a poll reporting a state already seen) fails to insert and so
    changes nothing.
    """

    class Source(models.TextChoices):
        CALLBACK = "callback", _("callback")
        POLL = "poll", _("status poll")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        NO_CHANGE = "no_change", _("no change")
        HELD = "held", _("held for review")
        UNKNOWN_ORDER = "unknown_order", _("unknown order")

    account = models.ForeignKey(PaymentAccount, on_delete=models.CASCADE, related_name="events")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    dedupe_key = models.CharField(max_length=300)
    order_id = models.CharField(max_length=255, blank=True)
    provider_status = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, blank=True)
    amount = MoneyField(_("amount"), null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    raw_body = models.TextField(blank=True)
    parsed = models.JSONField(default=dict)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "dedupe_key"], name="payments_event_dedupe")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.provider_status} ({self.source})"


class PaymentRefund(OrgOwned):
    """One refund request. It is written before the provider is called, so a refund in
    flight is visible and its later confirmation (callback) finds what to confirm."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("failed")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    amount = MoneyField(_("amount"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_status = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=300, blank=True)
    # True once the provider's own notification of this refund arrived (LiqPay sends a
    # `reversed` callback after the synchronous answer); it must then change nothing.
    callback_seen = models.BooleanField(default=False)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        language = (translation.get_language() or "uk")[:2]
        # «Повернення 100,00 грн: Передоплата зі списку очікування, 300,00 грн (Повернено)»:
        # the payment by what it was for, not by its number
        return gettext("Refund of %(amount)s: %(payment)s (%(status)s)") % {
            "amount": format_money(self.amount, self.payment.currency, language),
            "payment": self.payment,
            "status": self.get_status_display(),
        }


class SandboxCharge(models.Model):
    """The sandbox provider's own books (what a real provider keeps on its side).

    Not organization-owned: it belongs to the simulated provider, keyed by the account's
    public id and the order id it was given.
    """

    account_public_id = models.CharField(max_length=32)
    order_id = models.CharField(max_length=255)
    payment_id = models.CharField(max_length=32, default=new_account_public_id)
    status = models.CharField(max_length=20, default="created")
    amount = MoneyField(_("amount"))
    currency = models.CharField(max_length=3)
    refunded = MoneyField(_("refunded"), default=0)
    transaction_id = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_public_id", "order_id"], name="payments_sandbox_charge_unique"
            )
        ]

    def __str__(self) -> str:
        return f"sandbox {self.order_id} {self.status}"
