"""Fiscal receipts through a software cash register (Checkbox, F3).

- `CashRegister`: one per branch; the licence key and the cashier's login/password or PIN
  encrypted (core.crypto, as payment accounts), never shown back.
- `Shift`: the register's working day at Checkbox; at most one not closed per register (a
  partial unique constraint: two workers cannot both open one).
- `FiscalReceipt`: a sale or a return for one till movement of the money service (one per
  operation and kind, by constraint). Its `uuid` is our id at Checkbox, stored before the
  first call and sent on every retry: a second fiscal receipt for the same money is a legal
  problem, so a new id is never made.
"""

from __future__ import annotations

import uuid
from datetime import time
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.core.crypto import decrypt_json, encrypt_json, mask_secret
from zapys.core.fields import MoneyField
from zapys.core.numbers import numbered
from zapys.core.tenancy import OrgOwned


class CashRegister(OrgOwned):
    class Provider(models.TextChoices):
        CHECKBOX = "checkbox", "Checkbox"

    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.CASCADE, related_name="+", verbose_name=_("branch")
    )
    provider = models.CharField(
        _("provider"), max_length=20, choices=Provider.choices, default=Provider.CHECKBOX
    )
    base_url = models.URLField(_("API address"), max_length=300, blank=True)
    # The last characters of the licence key, for staff to tell registers apart.
    license_hint = models.CharField(_("licence key"), max_length=20, blank=True)
    credentials_encrypted = models.TextField(editable=False)
    is_active = models.BooleanField(pgettext_lazy("cash register", "active"), default=True)
    close_shift_at = models.TimeField(_("close the shift at"), default=time(23, 45))
    # Card payments taken at the desk (the visit checkout, a card terminal) get a fiscal
    # receipt too when the branch has no other till that fiscalises them. Online money
    # always does.
    fiscalise_card = models.BooleanField(_("fiscal receipts for card payments too"), default=False)
    offline_since = models.DateTimeField(_("offline since"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # A worker working this register (sending, opening or closing a shift) until then: one
    # at a time, so receipts go out in order and a shift is opened once.
    busy_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cash register")
        verbose_name_plural = _("cash registers")
        ordering = ["branch_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "branch"], name="fiscal_register_one_per_branch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.license_hint}"

    @property
    def credentials(self) -> dict[str, Any]:
        return decrypt_json(self.credentials_encrypted)

    def set_credentials(self, credentials: dict[str, Any]) -> None:
        self.credentials_encrypted = encrypt_json(credentials)
        self.license_hint = mask_secret(str(credentials.get("license_key", "")))[-12:]


class Shift(OrgOwned):
    class Status(models.TextChoices):
        OPENING = "opening", _("Opening")
        OPENED = "opened", pgettext_lazy("shift status", "Open")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")
        FAILED = "failed", _("Failed to open")

    register = models.ForeignKey(
        CashRegister, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("register")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    checkbox_id = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    z_report = models.JSONField(_("Z-report"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["-id"]
        constraints = [
            # One shift in progress per register: the second worker's INSERT fails.
            models.UniqueConstraint(
                fields=["register"],
                condition=Q(status__in=["opening", "opened", "closing"]),
                name="fiscal_shift_one_live_per_register",
            )
        ]

    def __str__(self) -> str:
        return f"{self.register_id}: {self.get_status_display()}"

    @property
    def z_summary(self) -> dict[str, int] | None:
        """What staff read of the stored Z-report: receipts made and the money (kopecks)
        sold and returned, summed over Checkbox's payment types. None: no Z-report."""
        report = self.z_report
        if not isinstance(report, dict):
            return None
        payments = [p for p in report.get("payments") or [] if isinstance(p, dict)]
        return {
            "sells": int(report.get("sell_receipts_count") or 0),
            "returns": int(report.get("return_receipts_count") or 0),
            "sold": sum(int(p.get("sell_sum") or 0) for p in payments),
            "returned": sum(int(p.get("return_sum") or 0) for p in payments),
        }


class FiscalReceipt(OrgOwned):
    class Kind(models.TextChoices):
        SELL = "sell", _("Sale")
        RETURN = "return", _("Return")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", pgettext_lazy("receipt status", "Done")
        ERROR = "error", _("Error")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    register = models.ForeignKey(
        CashRegister, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("register")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    original = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
        verbose_name=_("sale receipt"),
    )
    operation = models.ForeignKey(
        "ledger.FinancialOperation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("financial operation"),
    )
    payment = models.ForeignKey(
        "payments.Payment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment"),
    )
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("client"),
    )
    cause_type = models.CharField(max_length=100, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)
    amount = MoneyField(_("amount"))
    # The lines as sent, fixed when the receipt is asked for: every retry sends the same body.
    goods = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    posted_at = models.DateTimeField(_("accepted by Checkbox"), null=True, blank=True)
    checkbox_status = models.CharField(max_length=20, blank=True)
    fiscal_code = models.CharField(_("fiscal code"), max_length=100, blank=True)
    tax_url = models.URLField(_("tax service link"), max_length=500, blank=True)
    check_url = models.URLField(_("receipt page"), max_length=500, blank=True)
    offline = models.BooleanField(_("made offline"), default=False)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("fiscal receipt")
        verbose_name_plural = _("fiscal receipts")
        ordering = ["-id"]
        constraints = [
            # Exactly one receipt per till movement, whoever asks (two workers, a replay).
            models.UniqueConstraint(
                fields=["operation", "kind"], name="fiscal_receipt_one_per_operation"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_try_at"], name="fiscal_receipt_due"),
            models.Index(fields=["organization", "cause_type", "cause_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {numbered(self.pk)}"

    def described(self) -> str:
        """What the receipt sold or gave back, as staff recognise it: «Продаж: Манікюр
        класичний», «Повернення: Абонемент «4 візити на місяць»» (the lines as printed on it;
        two named, the rest counted), not «Продаж №60»."""
        names = [
            str(good["good"].get("name") or "")
            for good in self.goods or []
            if isinstance(good, dict) and isinstance(good.get("good"), dict)
        ]
        names = [name for name in names if name]
        if not names:
            return str(self.get_kind_display())
        what = ", ".join(names[:2])
        if len(names) > 2:
            what = gettext("%(what)s and %(n)s more") % {"what": what, "n": len(names) - 2}
        return gettext("%(kind)s: %(what)s") % {"kind": self.get_kind_display(), "what": what}
