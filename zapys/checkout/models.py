"""The visit checkout (V1): one row per participant's settlement of a visit.

A row is what staff saw and took: the price, what covered it (the prepayment sitting on the
balance, the rest of a positive balance, a membership visit), the amount due and how it was
paid. The money itself is in the ledger (the service charged, the money received, the
receipt and the till's operation, written by `ledger.money`); the row links to them. At most
one row per attendance is live (awaiting an online payment or settled), by constraint: a
visit is never settled twice, whoever races.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from zapys.core.fields import MoneyField
from zapys.core.tenancy import OrgOwned


class Checkout(OrgOwned):
    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting online payment")
        SETTLED = "settled", _("Paid")
        CANCELLED = "cancelled", _("Payment link not paid")
        UNDONE = "undone", _("Undone: the arrival was taken back")

    visit = models.ForeignKey(
        "schedule.Visit", on_delete=models.CASCADE, related_name="+", verbose_name=_("visit")
    )
    attendance = models.ForeignKey(
        "schedule.Attendance", on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    price = MoneyField(_("price"))
    covered_prepayment = MoneyField(_("covered by the prepayment"), default=0)
    covered_balance = MoneyField(_("covered by the balance"), default=0)
    covered_membership = MoneyField(_("covered by a membership"), default=0)
    due = MoneyField(_("due"))
    paid_cash = MoneyField(_("paid in cash"), default=0)
    paid_card = MoneyField(_("paid by card"), default=0)
    paid_online = MoneyField(_("paid online"), default=0)
    on_credit = MoneyField(_("charged to the balance"), default=0)
    to_balance = MoneyField(_("left on the balance"), default=0)
    #: Money of this checkout given back (an online link's payment refunded). The service
    #: stays delivered and charged, so this much is owed again: the visit is due again
    #: until staff take it (`repaid`), as Square and Fresha leave a refunded visit unpaid.
    refunded = MoneyField(_("refunded"), default=0)
    repaid = MoneyField(_("paid again after a refund"), default=0)
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt = models.ForeignKey(
        "ledger.SalesReceipt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit checkout")
        verbose_name_plural = _("visit checkouts")
        ordering = ["-id"]
        indexes = [models.Index(fields=["organization", "visit"])]
        constraints = [
            models.UniqueConstraint(
                fields=["attendance"],
                condition=models.Q(status__in=["awaiting", "settled"]),
                name="checkout_one_live_per_attendance",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0, due__gte=0, to_balance__gte=0),
                name="checkout_amounts_gte_0",
            ),
        ]

    #: What `__str__` reads, for `select_related` where many are named at once (the audit log).
    str_related: ClassVar[tuple[str, ...]] = (
        "client",
        "visit__service",
        "visit__group",
        "visit__subject",
        "visit__lesson_type",
    )

    def __str__(self) -> str:
        # The client and the visit settled: "Кравець Андрій — Стрижка, 05.12.2026 10:00".
        when = formats.date_format(
            timezone.localtime(self.visit.starts_at), "SHORT_DATETIME_FORMAT"
        )
        return f"{self.client} — {self.visit.title}, {when}"

    @property
    def owed_after_refund(self) -> int:
        """What the refund left owing and was not paid again."""
        return max(self.refunded - self.repaid, 0)

    @property
    def paid_total(self) -> int:
        return self.paid_cash + self.paid_card + self.paid_online
