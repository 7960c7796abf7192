"""The client ledger (C5), financial operations (F1) and sales receipts (F2).

The ledger is append-only (DESIGN rule 5). An `Entry` is inserted once and never edited:
a mistaken entry is *cancelled* (kept, marked, excluded from balances and reports) and a
correction is a new entry. This is enforced three times over:

- `Entry.save()` refuses anything but the first insert; `Entry.delete()` raises;
- `EntryQuerySet.update()/delete()/bulk_update()` raise; the only write path after insert
  is `EntryQuerySet.cancel_active()`, a conditional UPDATE used by `entry_cancel`;
- database triggers (migration 0002, SQLite and PostgreSQL) reject DELETE and any UPDATE
  except active → cancelled that leaves every other column as it was, so a raw SQL
  statement or another program cannot rewrite history either.

Balances are derived (Σ active debits − Σ active credits) from an index that covers the
query (client, status, kind, amount), so no stored balance can drift from the entries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.core.fields import MoneyField
from zapys.core.money import format_money
from zapys.core.stored_text import render_stored
from zapys.core.system_names import shown_name
from zapys.core.tenancy import OrgManager, OrgOwned, OrgQuerySet


def _money_text(amount: int) -> str:
    """How a row names its amount (the audit log, admin lists): money, never kopecks."""
    return format_money(amount, "UAH", (get_language() or "uk")[:2])


class LedgerImmutableError(RuntimeError):
    """Somebody tried to edit or delete a ledger entry."""


class Account(OrgOwned):
    """Where a client's money lives: one base account, plus one per membership sold with a
    separate account (so a school can see what a child owes for piano apart from dance)."""

    class Kind(models.TextChoices):
        BASE = "base", _("Main balance")
        MEMBERSHIP = "membership", _("Separate membership balance")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.RESTRICT, related_name="ledger_accounts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BASE)
    name = models.CharField(_("name"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client balance")
        verbose_name_plural = _("client balances")
        ordering = ["client_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(kind="base"),
                name="ledger_account_one_base_per_client",
            )
        ]

    def __str__(self) -> str:
        return self.name or str(self.get_kind_display())


class CashDesk(OrgOwned):
    """A till or a safe of a branch; payment types may say which desk the money goes to."""

    branch = models.ForeignKey("accounts.Branch", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cash desk")
        verbose_name_plural = _("cash desks")
        ordering = ["branch_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


#: The msgid a branch's default payment type of each method is named from.
DEFAULT_PAYMENT_TYPE_NAMES = {
    "cash": gettext_noop("Cash"),
    "card": gettext_noop("Card"),
    "online": gettext_noop("Online payment"),
}


class PaymentType(OrgOwned):
    """How money was taken in a branch: cash, card terminal, online provider."""

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        ONLINE = "online", _("Online")

    branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.CASCADE, related_name="payment_types"
    )
    # What kind of money it is (cash, card, online); the payment method itself is the row
    # («Готівка», «Термінал ПриватБанку»): "kind", so the two are not both «Спосіб».
    method = models.CharField(
        pgettext_lazy("payment method", "kind"), max_length=20, choices=Method.choices
    )
    name = models.CharField(_("name"), max_length=100)
    cash_desk = models.ForeignKey(
        CashDesk, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("cash desk")
    )
    is_default = models.BooleanField(
        pgettext_lazy("payment method", "the main one of its kind"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["branch_id", "method", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "method"],
                condition=models.Q(is_default=True),
                name="ledger_paymenttype_one_default_per_method",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """A default type (`services.finance_setup.payment_type_for`) is named by its method
        in the page's language until the organization renames it (`core.system_names`)."""
        if not self.is_default:
            return self.name
        return shown_name(self.name, DEFAULT_PAYMENT_TYPE_NAMES.get(self.method))

    @property
    def method_differs(self) -> bool:
        """Whether the method says more than the name: "Card" named "Card" (or "Online
        payment" of the method "Online") would read twice in a row of a list."""
        method = str(self.get_method_display()).casefold()
        return method not in self.display_name.casefold()


class FinanceArticle(OrgOwned):
    """An income or expense article ("Membership sales", "Rent", ...)."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("system code"),
        max_length=50,
        blank=True,
        help_text=_("Set for categories the system uses"),
    )
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("finance category")
        verbose_name_plural = _("finance categories")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                condition=~models.Q(code=""),
                name="ledger_article_unique_code",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """An article an app declared (`ledger.hooks`) is named in the page's language until
        the organization renames it (`core.system_names`)."""
        if not self.code:
            return self.name
        from zapys.ledger.hooks import finance_articles_declared

        declared = finance_articles_declared().get(self.code)
        return shown_name(self.name, declared.label if declared else None)


class EntryQuerySet(OrgQuerySet["Entry"]):
    """Entries can be read and inserted; the only change allowed is cancelling."""

    def update(self, **kwargs: Any) -> int:
        raise LedgerImmutableError("Ledger entries cannot be updated; cancel them instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerImmutableError("Ledger entries cannot be deleted; cancel them instead.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise LedgerImmutableError("Ledger entries cannot be updated; cancel them instead.")

    def cancel_active(self, *, cancelled_at: Any, cancelled_by_id: int | None, reason: str) -> int:
        """UPDATE ... SET status='cancelled' WHERE status='active' — the one permitted change.
        Returns the row count so the caller knows whether it won (DESIGN rule 7)."""
        return models.QuerySet.update(
            self.filter(status=Entry.Status.ACTIVE),
            status=Entry.Status.CANCELLED,
            cancelled_at=cancelled_at,
            cancelled_by_id=cancelled_by_id,
            cancel_reason=reason[:500],
        )


class EntryManager(OrgManager["Entry"]):
    def get_queryset(self) -> EntryQuerySet:  # type: ignore[override]
        scoped = super().get_queryset()
        return EntryQuerySet(self.model, query=scoped.query, using=self._db)

    def for_org(self, org: Any) -> EntryQuerySet:  # type: ignore[override]
        return EntryQuerySet(self.model, using=self._db).filter(organization=org)


#: Purposes whose system-written comment is the name of what was sold (`Entry.what_for`).
_NAMED_BY_COMMENT = frozenset({"service", "membership_sale"})


class Entry(OrgOwned):
    """One line of a client's ledger. Debit = money in (raises the balance); credit = a
    charge (lowers it). Amounts are positive kopecks; the kind carries the sign."""

    class Kind(models.TextChoices):
        # The words staff use, not the bookkeeper's Debit/Credit (issue 17).
        DEBIT = "debit", pgettext_lazy("ledger entry kind", "Paid in")
        CREDIT = "credit", pgettext_lazy("ledger entry kind", "Charged")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("ledger status", "Active")
        CANCELLED = "cancelled", pgettext_lazy("ledger status", "Cancelled")

    class Purpose(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        TOP_UP = "top_up", _("Balance top-up")
        PREPAYMENT = "prepayment", _("Prepayment")
        MEMBERSHIP_SALE = "membership_sale", _("Membership sale")
        SERVICE = "service", _("Service delivered")
        REFUND = "refund", pgettext_lazy("purpose", "Refund")
        CORRECTION = "correction", _("Correction")
        OPENING_BALANCE = "opening_balance", _("Opening balance")
        INVOICE_PAYMENT = "invoice_payment", _("Invoice payment")
        # A fee charged to the client (a late cancellation, a no-show; its comment says
        # which), named apart from the payment service's commission the buyer paid on top
        # of a price. English says "fee" and "commission" as the comments, the cabinet and
        # the «Cancellations and fees» report do (it said "Penalty" and "Payment service
        # fee" beside comments saying "… fee" and "Payment service commission").
        FEE = "fee", pgettext_lazy("ledger purpose", "Fee")
        SERVICE_FEE = "service_fee", _("Payment service commission")
        OTHER = "other", _("Other")

    account = models.ForeignKey(Account, on_delete=models.RESTRICT, related_name="entries")
    # Denormalised from the account so a client's balance is one index range scan.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.RESTRICT, related_name="ledger_entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = MoneyField(_("amount"))
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    # A comment the system wrote ("Online top-up, payment #7"), kept so each reader sees it
    # in their own language (core.stored_text); `comment` holds it rendered when written.
    comment_text = models.JSONField(null=True, blank=True, editable=False)
    cause_type = models.CharField(max_length=100, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)
    branch = models.ForeignKey(
        "accounts.Branch", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    payment_type = models.ForeignKey(
        PaymentType, null=True, blank=True, on_delete=models.RESTRICT, related_name="entries"
    )
    # Staff users are deactivated, not deleted; a deleted one must not rewrite history
    # (SET_NULL would be an UPDATE), so no database constraint and a label snapshot.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    cancel_reason = models.CharField(max_length=500, blank=True)

    objects: Any = EntryManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment or charge")
        verbose_name_plural = _("payments and charges")
        indexes = [
            # Covers the balance queries: one client (organization, client, status) is a
            # prefix seek, the debtors list a scan of the organization's range in client
            # order (GROUP BY without sorting); kind and amount come from the index itself.
            models.Index(
                fields=["organization", "client", "status", "kind", "amount"],
                name="ledger_entry_balance",
            ),
            models.Index(fields=["organization", "cause_type", "cause_id"], name="ledger_cause"),
            models.Index(fields=["organization", "created_at"], name="ledger_entry_org_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="ledger_entry_amount_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["debit", "credit"]), name="ledger_entry_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", cancelled_at__isnull=True)
                | models.Q(status="cancelled", cancelled_at__isnull=False),
                name="ledger_entry_cancel_consistent",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} {_money_text(self.amount)} ({self.get_purpose_display()})"
        )

    @property
    def signed_amount(self) -> int:
        return self.amount if self.kind == self.Kind.DEBIT else -self.amount

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def comment_shown(self) -> str:
        """The comment in the reader's language (a comment the system wrote) or as typed."""
        return render_stored(self.comment_text, fallback=self.comment)

    @property
    def what_for(self) -> str:
        """What the client reads for this entry: the service or plan by name when the system
        wrote it for a visit or a sale (its comment is that name), else the purpose. A comment
        staff typed is internal and never shown to the client."""
        if self.cause_type and self.comment and self.purpose in _NAMED_BY_COMMENT:
            return self.comment_shown
        return str(self.get_purpose_display())

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutableError("Ledger entries cannot be edited; cancel and re-enter.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerImmutableError("Ledger entries cannot be deleted; cancel them instead.")


class LinkedStatus(models.TextChoices):
    """Status of what a ledger entry caused outside the ledger (an operation, a receipt's
    line or payment): it is cancelled together with its entry, never deleted."""

    ACTIVE = "active", pgettext_lazy("ledger status", "Active")
    CANCELLED = "cancelled", pgettext_lazy("ledger status", "Cancelled")


class FinancialOperation(OrgOwned):
    """Money that came into or left a branch's cash (F1): a sale paid in cash, rent, salaries.

    An operation recorded for a client's payment names that ledger `entry`; cancelling the
    entry cancels the operation too (kept, marked, excluded from every total and report)."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    Status = LinkedStatus

    branch = models.ForeignKey("accounts.Branch", on_delete=models.RESTRICT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = MoneyField(_("amount"))
    article = models.ForeignKey(
        FinanceArticle,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        verbose_name=pgettext_lazy("finance", "category"),
    )
    payment_type = models.ForeignKey(
        PaymentType,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        verbose_name=_("payment method"),
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    # A comment the system wrote ("Online top-up, payment #7"), kept so each reader sees it
    # in their own language (core.stored_text); `comment` holds it rendered when written.
    comment_text = models.JSONField(null=True, blank=True, editable=False)
    cause_type = models.CharField(max_length=100, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)
    # The ledger entry this money movement belongs to (a client's payment or refund).
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.RESTRICT, related_name="operations"
    )
    # Money a client paid before the client was known (`ledger.money.money_received_unassigned`:
    # an online sale paid by a stranger). Not the till's own income: the money reports count
    # it while it has no `entry`, then through the entry it is assigned to — once either way.
    client_money = models.BooleanField(default=False, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=LinkedStatus.choices, default=LinkedStatus.ACTIVE
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("cash operation")
        verbose_name_plural = _("cash operations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "cause_type", "cause_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="ledger_finop_amount_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", cancelled_at__isnull=True)
                | models.Q(status="cancelled", cancelled_at__isnull=False),
                name="ledger_finop_cancel_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {_money_text(self.amount)}"

    @property
    def signed_amount(self) -> int:
        return self.amount if self.kind == self.Kind.INCOME else -self.amount

    @property
    def is_cancelled(self) -> bool:
        return self.status == LinkedStatus.CANCELLED

    @property
    def comment_shown(self) -> str:
        """The comment in the reader's language (a comment the system wrote) or as typed."""
        return render_stored(self.comment_text, fallback=self.comment)


class SalesReceipt(OrgOwned):
    """What was sold in one sale and how it was paid (F2, "sales of the day").

    `total` and `paid` are the sums of the receipt's active lines and payments. A line or
    a payment that stands for a ledger entry names it; when the entry is cancelled, the
    line or payment is cancelled with it (kept, struck through) and the sums go down, so a
    cancelled payment shows the receipt as unpaid again."""

    branch = models.ForeignKey("accounts.Branch", on_delete=models.RESTRICT, related_name="+")
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    total = MoneyField(_("total"))
    paid = MoneyField(_("paid"))
    cause_type = models.CharField(max_length=100, blank=True)
    cause_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("sales receipt")
        verbose_name_plural = _("sales receipts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "branch", "created_at"]),
            models.Index(fields=["organization", "cause_type", "cause_id"]),
        ]

    def __str__(self) -> str:
        # The audit log names a receipt by whose it is and its total, «Кравець Андрій,
        # 1 800,00 грн» (fifth tour: «Чек продажу №241»).
        # The client only when loaded (the audit log's reader joins it): naming a receipt
        # while writing it costs no query.
        total = _money_text(self.total)
        if self.client_id is None or not SalesReceipt.client.is_cached(self):
            return total
        return f"{self.client}, {total}"

    @property
    def unpaid(self) -> int:
        """What is still owed for this receipt (never negative: money paid beyond what is
        still sold stays on the client's balance)."""
        return max(self.total - self.paid, 0)


class SalesReceiptLine(OrgOwned):
    Status = LinkedStatus

    receipt = models.ForeignKey(SalesReceipt, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(_("name"), max_length=300)
    # A name the system wrote ("Balance top-up", "Invoice №3: …"), kept so each reader sees
    # it in their own language (core.stored_text); `name` holds it rendered when written. A
    # name that is data (a service or plan the salon named) has none and is shown as typed.
    name_text = models.JSONField(null=True, blank=True, editable=False)
    amount = MoneyField(_("amount"))
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.RESTRICT, related_name="receipt_lines"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LinkedStatus.choices, default=LinkedStatus.ACTIVE
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name_shown

    @property
    def name_shown(self) -> str:
        """The name in the reader's language (a name the system wrote) or as typed."""
        return render_stored(self.name_text, fallback=self.name)

    @property
    def is_cancelled(self) -> bool:
        return self.status == LinkedStatus.CANCELLED


class SalesReceiptPayment(OrgOwned):
    Status = LinkedStatus

    receipt = models.ForeignKey(SalesReceipt, on_delete=models.CASCADE, related_name="payments")
    payment_type = models.ForeignKey(PaymentType, on_delete=models.RESTRICT, related_name="+")
    amount = MoneyField(_("amount"))
    entry = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.RESTRICT, related_name="receipt_payments"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LinkedStatus.choices, default=LinkedStatus.ACTIVE
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.payment_type}: {_money_text(self.amount)}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == LinkedStatus.CANCELLED
