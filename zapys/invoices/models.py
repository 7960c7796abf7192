"""Invoices to clients (FEATURES I1–I6, X6; seed: AlfaCRM "Счета на оплату").

An `Invoice` asks a client to pay an amount for a period through a public link; the money
lands on one of the client's ledger accounts (base, or a membership's separate account)
through `ledger.money`, when the provider confirms (the "invoice" purpose, `purposes.py`).

    awaiting → partially_paid → paid            (from the provider, or the balance)
    awaiting | partially_paid → expired          (the payment window is over: the job)
    awaiting | partially_paid | expired → archived   (staff; irreversible)

Every change of status is a conditional UPDATE in `services.py`. What an invoice received
is one `InvoicePayment` per provider payment (UNIQUE payment): a replayed callback cannot
count the same money twice.

Numbers are `<prefix>-<year>-<5 digits>` per organization and year, without gaps: the next
number comes from one `InvoiceCounter` row locked FOR UPDATE in the creating transaction
(a rolled-back creation gives its number back). The prefix is the organization's
(`InvoiceSettings.number_prefix`, «РАХ» by default): it is read when a number is given, so a
change applies to the next invoice and an issued number never changes. The sequence is the
year's whatever the prefix, so a changed prefix cannot repeat a number.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from zapys.core.fields import MoneyField
from zapys.core.money import format_money
from zapys.core.stored_text import StoredText, render_stored
from zapys.core.tenancy import OrgOwned
from zapys.core.tokens import new_public_token
from zapys.payments.config import public_base

#: An invoice number is `<prefix>-<year>-<sequence>`; the prefix is short enough that the
#: whole number fits `Invoice.number` (20) even past 99,999 invoices in a year.
NUMBER_PREFIX_MAX = 8
#: Letters (any alphabet) and digits, in groups joined by single hyphens: «РАХ», «INV»,
#: «СТУДІЯ-1». Nothing that would blur where the year starts or read oddly on a document.
NUMBER_PREFIX_PATTERN = r"^[^\W_]+(?:-[^\W_]+)*$"


def default_number_prefix(language: str) -> str:
    """A new organization's prefix: «РАХ» (рахунок) when it writes to clients in
    Ukrainian, "INV" otherwise."""
    return "РАХ" if (language or "uk").startswith("uk") else "INV"


class InvoiceSettings(OrgOwned):
    """One row per organization: what the public invoice page shows and where it is paid,
    and how its invoice numbers start. Empty requisites / offer link fall back to the
    organization's own (its settings)."""

    payment_account = models.ForeignKey(
        "payments.PaymentAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment account"),
    )
    requisites = models.TextField(_("requisites"), blank=True)
    offer_url = models.URLField(_("public offer link"), blank=True)
    #: Organizations that had issued numbers before the setting existed keep "INV"
    #: (migration 0008): their year's series goes on as it began.
    number_prefix = models.CharField(
        _("invoice number prefix"), max_length=NUMBER_PREFIX_MAX, default="РАХ"
    )

    class Meta:
        verbose_name = _("invoice settings")
        verbose_name_plural = _("invoice settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="invoices_settings_one_per_org")
        ]

    def __str__(self) -> str:
        return f"invoice settings of {self.organization_id}"


class ClientPayer(OrgOwned):
    """Who pays for a client (X6: a parent for a child). New invoices of the client go to the
    payer unless another is chosen; the payer's invoice links show the children's too."""

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("client")
    )
    payer = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", verbose_name=_("payer")
    )

    class Meta:
        verbose_name = _("payer for a client")
        verbose_name_plural = _("payers for clients")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(client=models.F("payer")), name="invoices_payer_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payer_id} pays for {self.client_id}"


class InvoiceCounter(OrgOwned):
    """The last invoice number issued by an organization in a year (locked to take the next)."""

    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="invoices_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class InvoiceRule(OrgOwned):
    """An automatic invoicing rule (I5): who gets an invoice, for what, when and how."""

    class Method(models.TextChoices):
        FORECAST = "forecast", _("By payment forecast")
        MEMBERSHIP = "membership", _("By membership price")

    class AccountType(models.TextChoices):
        # «Рахунок» is the invoice itself: the money's place is a balance (issue 17)
        BASE = "base", _("Main balance")
        MEMBERSHIP = "membership", _("Separate membership balances")
        ALL = "all", _("All balances")

    class PeriodType(models.TextChoices):
        CURRENT = "current", _("Current")
        NEXT = "next", _("Next")

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")

    class PayWindow(models.TextChoices):
        UNLIMITED = "unlimited", _("Unlimited")
        D3 = "3d", _("3 days")
        D5 = "5d", _("5 days")
        D6 = "6d", _("6 days")
        W1 = "1w", _("1 week")
        W2 = "2w", _("2 weeks")
        MONTH_END = "month_end", _("End of this month")
        NEXT_MONTH_END = "next_month_end", _("End of next month")

    name = models.CharField(_("name"), max_length=200)
    method = models.CharField(_("calculation method"), max_length=12, choices=Method.choices)
    account = models.CharField(
        _("which balance"), max_length=12, choices=AccountType.choices, default=AccountType.BASE
    )
    period_type = models.CharField(
        _("period type"), max_length=8, choices=PeriodType.choices, default=PeriodType.CURRENT
    )
    period = models.CharField(
        _("period"), max_length=8, choices=Period.choices, default=Period.MONTH
    )
    #: client_status, client_type, subject_id, lesson_type_id, lessons_min/max,
    #: money_min/max (kopecks), attended_30_days, lesson_today — see services.RULE_FILTERS.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    pay_window = models.CharField(
        _("payment window"), max_length=16, choices=PayWindow.choices, default=PayWindow.UNLIMITED
    )
    repeatable = models.BooleanField(_("may be paid again"), default=False)
    reissue_if_unpaid = models.BooleanField(
        _("issue again if an unpaid invoice exists"), default=False
    )
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    template = models.TextField(_("template"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    #: Set by "Delete": the rule is gone from the rules page, the API and the calendar, but
    #: its row stays so the invoices it issued still name it and the invoice list's filter
    #: still finds them ("<name> (deleted)").
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("automatic invoicing rule")
        verbose_name_plural = _("automatic invoicing rules")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name as lists show it: a deleted rule says so."""
        if self.deleted_at is None:
            return self.name
        return _("%(name)s (deleted)") % {"name": self.name}


class Invoice(OrgOwned):
    class Calculation(models.TextChoices):
        MANUAL = "manual", _("Manual")
        FORECAST = "forecast", _("By payment forecast")
        MEMBERSHIP = "membership", _("By membership price")

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting payment")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Overdue")
        ARCHIVED = "archived", _("Archived")

    number = models.CharField(_("number"), max_length=20)
    #: Whose account is credited (the attendee: a child).
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client")
    )
    #: Who pays and receives the link and the reminders (a parent); None = the client.
    payer = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payer"),
    )
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.PROTECT, related_name="+", verbose_name=_("balance")
    )
    membership = models.ForeignKey(
        "memberships.ClientMembership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("membership"),
    )
    calculation = models.CharField(
        _("calculation"), max_length=12, choices=Calculation.choices, default=Calculation.MANUAL
    )
    amount = MoneyField(_("amount"))
    paid_amount = MoneyField(_("paid"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="UAH")
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    pay_from = models.DateField(_("payable from"))
    #: Empty: "not set" (payable until archived).
    pay_until = models.DateField(_("payable until"), null=True, blank=True)
    repeatable = models.BooleanField(_("may be paid again"), default=False)
    allow_partial = models.BooleanField(_("allow partial payment"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.AWAITING
    )
    #: The forecast's lines: [{"kind": "lesson"|"membership"|"balance", "title", "date",
    #: "amount", "covered"}], fixed when the invoice was issued.
    breakdown = models.JSONField(default=list, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    #: What it is for, as the messages' {bill.type} and {bill.amount_subjects_url} say it.
    title = models.CharField(_("for"), max_length=300, blank=True)
    #: The title the system wrote (a forecast's "Lessons 01.12–31.12.2026"), kept to be read
    #: in each reader's language (`core.stored_text`); None: a title typed or given as text.
    title_text = models.JSONField(null=True, blank=True, editable=False)
    subjects = models.CharField(_("subjects"), max_length=300, blank=True)
    rule = models.ForeignKey(
        InvoiceRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="invoices"
    )
    token = models.CharField(max_length=64, unique=True, default=new_public_token)
    #: The current provider attempt (reused while open with the same amount).
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    #: The payer's first open of the public page (not the staff's): the "opened" step of
    #: the payment-link funnel (X9), copied to each payment started from the page.
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status", "pay_until"], name="invoices_due_idx"),
            models.Index(fields=["organization", "client"], name="invoices_client_idx"),
            models.Index(fields=["organization", "payer"], name="invoices_payer_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="invoices_number_unique"
            ),
            # A rule never issues two invoices for one client, account and period.
            models.UniqueConstraint(
                fields=["rule", "client", "account", "period_start"],
                condition=models.Q(rule__isnull=False),
                name="invoices_rule_once_per_period",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoices_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0), name="invoices_paid_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(pay_until__isnull=True)
                | models.Q(pay_until__gte=models.F("pay_from")),
                name="invoices_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def due(self) -> int:
        """What is left to pay (0 once paid in full)."""
        return max(self.amount - self.paid_amount, 0)

    @property
    def number_html(self) -> str:
        """The number for the middle of a sentence on a page: as issued (a legal identifier,
        never transliterated), marked as Ukrainian when its prefix is Cyrillic, so «РАХ» on
        an English page is read (by screen readers, page translators) as the letters it is,
        not as the Latin "PAX", and never translated."""
        cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in self.number)
        return format_html(
            '<span class="text-nowrap" translate="no"{}>{}</span>',
            mark_safe(' lang="uk"') if cyrillic else "",
            self.number,
        )

    @property
    def title_shown(self) -> str:
        """What it is for, in the reader's language (`title` as stored for a typed one)."""
        return render_stored(self.title_text, fallback=self.title)

    @property
    def title_param(self) -> str | StoredText:
        """The title as a parameter of another stored text (a ledger comment)."""
        if self.title_text and self.title_text.get("msgid"):
            return StoredText(self.title_text["msgid"], **(self.title_text.get("params") or {}))
        return self.title

    @property
    def due_on(self) -> date:
        """The invoice's one due date: what its pages say as «Сплатити до» and what the
        reminders count from (`rules.dunning_run`). The start of the period paid for (a
        salon asks for December's classes by 1 December), never before the invoice can be
        paid (one issued on 5 December for December is due that day) nor after its link
        closes; an invoice for no period is due when its link closes, or, with no end to
        its link, the day it became payable. `pay_until` stays what it is: the last day the
        link takes money."""
        due = max(self.period_start or self.pay_until or self.pay_from, self.pay_from)
        if self.pay_until is not None:
            due = min(due, self.pay_until)
        return due

    @property
    def balance_label(self) -> str:
        """Where the money goes, as the invoice's pages say it."""
        return balance_label(self.account)

    @property
    def recipient_id(self) -> int:
        """Who gets the link and the reminders: the payer, else the client."""
        return self.payer_id or self.client_id

    @property
    def url(self) -> str:
        # Lists and message batches build many of these: reverse() once, not per invoice.
        return public_base() + _page_path_template().replace(_TOKEN_SLOT, self.token)

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.EXPIRED, self.Status.ARCHIVED)


class InvoicePayment(OrgOwned):
    """Money one provider payment (or the balance) brought to an invoice. UNIQUE payment:
    the same payment is never counted twice, whatever the provider replays."""

    class Source(models.TextChoices):
        PROVIDER = "provider", _("Online payment")
        BALANCE = "balance", _("From the balance")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    payment = models.OneToOneField(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PROVIDER)
    amount = MoneyField(_("amount"))
    #: The ledger entry the money was written as (linked: invoice, payment, entry).
    entry = models.ForeignKey(
        "ledger.Entry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Counted towards the invoice (False: the money came after it was archived/expired and
    #: only landed on the balance).
    counted = models.BooleanField(default=True)
    refunded = MoneyField(_("refunded"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice payment")
        verbose_name_plural = _("invoice payments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return (
            f"{self.invoice_id}: {format_money(self.amount, 'UAH', (get_language() or 'uk')[:2])}"
        )


class DunningSent(OrgOwned):
    """A dunning level's reminder was dealt with for an invoice: sent, or skipped (`skipped`)
    because a later reminder's day had come too (the job sends only the latest one due: a
    client never gets "in 2 days" and "3 days late" in one minute). Never twice either way."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="+")
    level = models.ForeignKey("DunningLevel", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invoice", "level"], name="invoices_dunning_once")
        ]


class DunningLevel(OrgOwned):
    """A reminder for unpaid invoices N days from the due date (negative = before it)."""

    days_from_due = models.SmallIntegerField(_("days from the due date"))
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    template = models.TextField(_("template"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        ordering = ["days_from_due", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "days_from_due"], name="invoices_dunning_unique_day"
            )
        ]

    def __str__(self) -> str:
        # How the audit log names a reminder ("2 days before the due date", not "-2").
        return due_offset_words(self.days_from_due)


def balance_label(account: Any) -> str:
    """A ledger account as an invoice names it: the client's main balance or a
    membership's separate one (the ledger's own names say "account", a bank's word)."""
    if account.kind == "base":
        return gettext("Main balance")
    return gettext("Separate membership balance")


def due_offset_words(days: int) -> str:
    """A reminder's day in words: "2 days before the due date", "on the due date"."""
    if days == 0:
        return gettext("On the due date")
    if days < 0:
        return ngettext(
            "%(days)s day before the due date", "%(days)s days before the due date", -days
        ) % {"days": -days}
    return ngettext("%(days)s day after the due date", "%(days)s days after the due date", days) % {
        "days": days
    }


_TOKEN_SLOT = "__token__"


@functools.lru_cache(maxsize=1)
def _page_path_template() -> str:
    from django.urls import reverse

    return reverse("invoices:page", kwargs={"token": _TOKEN_SLOT})
