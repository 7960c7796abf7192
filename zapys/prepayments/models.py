"""Paid time booking (prepayment, FEATURES B1–B7, X2, X4, X5).

A `Booking` asks the client of a visit to prepay part of it through a link. Its
deadlines (`expires_at`, `auto_cancel_at`, `remind_at`) live in the database, so a
worker that was down catches up on restart, and every status change is a conditional
UPDATE in `services.py` (a payment racing the auto-cancel sweep: exactly one wins).

    pending → paid | expired → (cancelled: the visit was auto-cancelled)
    paid → refunded
    expired | cancelled → paid (paid_late=True: the money came after the deadline)
"""

from __future__ import annotations

import functools
from datetime import date
from typing import ClassVar

from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zapys.core.fields import MoneyField
from zapys.core.money import format_money
from zapys.core.system_names import shown_name
from zapys.core.tenancy import OrgOwned
from zapys.core.tokens import new_public_token
from zapys.payments.config import public_base
from zapys.prepayments.reasons import reason_text
from zapys.prepayments.refund_reasons import refund_failure_text
from zapys.prepayments.texts import VISIT_NAMED_BY, visit_named

#: What the organization writes for its clients, each with an English version in
#: `<field>_en` (empty: the main text is shown on an English page too).
CLIENT_TEXTS = ("page_subtitle", "page_call_to_action", "page_expired_message", "agreement_text")
ENGLISH_HELP = _("Shown when the page is in English; empty = the text above.")


def client_text(main: str, english: str | None, language: str | None) -> str:
    """The text a client reads: the English version on an English page when there is one,
    else the main (Ukrainian) text. The one rule for the settings and the bookings' frozen
    terms alike."""
    if (language or "")[:2] == "en" and english:
        return english
    return main or ""


class PrepaymentSettings(OrgOwned):
    """One row per organization: the settings section's tabs (B1, B2, B5, B6)."""

    class Theme(models.TextChoices):
        LIGHT = "light", _("Light")
        DARK = "dark", _("Dark")
        ROSE = "rose", _("Rose")
        FOREST = "forest", _("Forest")

    # Main
    enabled = models.BooleanField(_("prepayment enabled"), default=False)
    require_for_online = models.BooleanField(
        _("require prepayment for online self-booking"),
        default=True,
        help_text=_("Unless a rule on the «Prepayment types and finance» tab waives it."),
    )
    default_channel = models.CharField(
        _("default delivery channel"),
        max_length=16,
        blank=True,
        help_text=_("Empty: by the channel order in Settings → Messages."),
    )
    # Booking term and cancellation
    link_lifetime_hours = models.PositiveIntegerField(_("payment link lifetime, hours"), default=24)
    auto_cancel = models.BooleanField(_("cancel the visit automatically when unpaid"), default=True)
    auto_cancel_after_minutes = models.PositiveIntegerField(
        _("cancel after expiry, minutes"), default=0
    )
    cancel_status = models.ForeignKey(
        "schedule.VisitStatus",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cancellation status"),
    )
    release_before_start_minutes = models.PositiveIntegerField(
        _("payment deadline before the visit, minutes"),
        default=60,
        help_text=_("The link expires at the latest this long before the visit starts."),
    )
    cancellation_policy = models.ForeignKey(
        "prepayments.CancellationPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cancellation policy"),
    )
    reminder_enabled = models.BooleanField(_("remind before the link expires"), default=False)
    reminder_hours_before = models.PositiveIntegerField(_("remind N hours before"), default=2)
    # Payment service
    payment_account = models.ForeignKey(
        "payments.PaymentAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment account"),
    )
    # Prepayment types and finance
    income_article = models.ForeignKey(
        "ledger.FinanceArticle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("income category"),
    )
    status_after_payment = models.ForeignKey(
        "schedule.VisitStatus",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("visit status after payment"),
    )
    status_after_create = models.ForeignKey(
        "schedule.VisitStatus",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("visit status after the booking is created"),
    )
    topup_branch = models.ForeignKey(
        "accounts.Branch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("branch for top-ups from the cabinet and bots"),
    )
    # Message templates: each message can be switched off
    send_link = models.BooleanField(_("send the payment link"), default=True)
    send_paid = models.BooleanField(_("send 'payment received'"), default=True)
    send_expired = models.BooleanField(_("send 'link expired'"), default=True)
    send_cancelled = models.BooleanField(_("send 'visit cancelled'"), default=True)
    send_reminder = models.BooleanField(_("send the reminder"), default=True)
    # Payment page
    page_language = models.CharField(
        _("page language"),
        max_length=2,
        default="uk",
        choices=[("uk", "Українська"), ("en", "English")],
    )
    page_theme = models.CharField(
        _("theme"), max_length=10, choices=Theme.choices, default=Theme.LIGHT
    )
    page_business_name = models.CharField(_("business name"), max_length=100, blank=True)
    page_subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    page_subtitle_en = models.CharField(
        _("subtitle (English)"), max_length=200, blank=True, help_text=ENGLISH_HELP
    )
    page_call_to_action = models.CharField(
        _("call to action"), max_length=200, blank=True, default=""
    )
    page_call_to_action_en = models.CharField(
        _("call to action (English)"), max_length=200, blank=True, help_text=ENGLISH_HELP
    )
    page_show_prices = models.BooleanField(_("show prices"), default=True)
    page_background = models.ImageField(
        _("background image"), upload_to="prepayments/backgrounds/", blank=True
    )
    page_expired_message = models.TextField(_("message for an expired link"), blank=True)
    page_expired_message_en = models.TextField(
        _("message for an expired link (English)"), blank=True, help_text=ENGLISH_HELP
    )
    # Agreement
    agreement_enabled = models.BooleanField(_("the client must accept the agreement"), default=True)
    agreement_text = models.TextField(_("agreement (offer terms)"), blank=True)
    agreement_text_en = models.TextField(
        _("agreement (offer terms) (English)"), blank=True, help_text=ENGLISH_HELP
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("prepayment settings")
        verbose_name_plural = _("prepayment settings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], name="prepayments_settings_one_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"Prepayment settings #{self.organization_id}"

    def text(self, field: str, language: str | None = None) -> str:
        """One of `CLIENT_TEXTS` as the client reads it in `language` (the active one
        when not given): the English version on an English page, the main text otherwise."""
        return client_text(
            getattr(self, field), getattr(self, f"{field}_en"), language or get_language()
        )

    def texts(self, language: str | None = None) -> dict[str, str]:
        """All the texts the organization writes for its clients, in `language`: what the
        public pages render (`texts.page_subtitle`)."""
        return {field: self.text(field, language) for field in CLIENT_TEXTS}


class BranchFinance(OrgOwned):
    """Per-branch financial settings: payment type used and fiscal register (stored only)."""

    branch = models.ForeignKey("accounts.Branch", on_delete=models.CASCADE, related_name="+")
    payment_type = models.ForeignKey(
        "ledger.PaymentType", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fiscal_register = models.CharField(_("fiscal register (RRO)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("branch payment settings")
        verbose_name_plural = _("branch payment settings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "branch"], name="prepayments_branchfinance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.payment_type_id}"


class BookingType(OrgOwned):
    """A named way to compute the amount (B2)."""

    class Rule(models.TextChoices):
        FIXED = "fixed", _("Fixed sum")
        PERCENT = "percent", _("Percent of the service price")
        HOURLY = "hourly", _("Specialist's hourly rate × duration")

    name = models.CharField(_("name"), max_length=100)
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices)
    # kopecks for "fixed", whole percent for "percent", percent of the rate for "hourly"
    value = models.BigIntegerField(_("value"), default=0)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    cancellation_policy = models.ForeignKey(
        "prepayments.CancellationPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cancellation policy"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking type")
        verbose_name_plural = _("booking types")
        ordering = ["-is_default", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def amount_text(self) -> str:
        """How the amount is worked out, in the reader's language, money as the `money`
        filter writes it: "Fixed sum: UAH 200.00", "30% of the service price"."""
        if self.rule == self.Rule.FIXED:
            amount = format_money(int(self.value), "UAH", (get_language() or "uk")[:2])
            return gettext("Fixed sum: %(amount)s") % {"amount": amount}
        if self.rule == self.Rule.PERCENT:
            return gettext("%(n)s%% of the service price") % {"n": self.value}
        return gettext("%(n)s%% of the specialist's hourly rate × duration") % {"n": self.value}


class PrepaymentRule(OrgOwned):
    """Require or waive prepayment (B3). The first active matching rule by `order` wins."""

    class Action(models.TextChoices):
        REQUIRE = "require", _("Require prepayment")
        WAIVE = "waive", _("Waive prepayment")

    class Source(models.TextChoices):
        ANY = "", _("Any way of booking")
        ONLINE = "online", _("Online self-booking")
        STAFF = "staff", _("Booked by staff")

    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    tag = models.ForeignKey(
        "clients.Tag",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("client tag"),
    )
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    source = models.CharField(_("booked"), max_length=10, choices=Source.choices, blank=True)
    booking_type = models.ForeignKey(
        BookingType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("prepayment rule")
        verbose_name_plural = _("prepayment rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        # «Не вимагати передоплату: Стрижка жіноча, клієнти з тегом «VIP», онлайн-запис»: what
        # the rule does and to which visits, in the reader's words (the audit log read
        # "waive #1", the action's key and the row's id). No `str_related`: a deleted rule
        # (the settings page deletes them) is named by the text stored when it was written,
        # so the writer says it in full; the log's reader joins the references itself.
        which = []
        if self.service is not None:
            which.append(str(self.service))
        if self.tag is not None:
            which.append(gettext("clients tagged “%(tag)s”") % {"tag": self.tag})
        if self.date_from or self.date_to:
            which.append(self._dates_text())
        if self.source:
            source = str(self.get_source_display())
            which.append(source[:1].lower() + source[1:])
        what = ", ".join(which) or pgettext("prepayment rule", "every visit")
        return f"{self.get_action_display()}: {what}"

    def _dates_text(self) -> str:
        def day(value: date) -> str:
            return formats.date_format(value, "j E Y")

        if self.date_from and self.date_to:
            return f"{day(self.date_from)} – {day(self.date_to)}"
        if self.date_from:
            return pgettext("prepayment rule", "from %(day)s") % {"day": day(self.date_from)}
        assert self.date_to is not None
        return pgettext("prepayment rule", "until %(day)s") % {"day": day(self.date_to)}


class Booking(OrgOwned):
    class RefundState(models.TextChoices):
        PENDING = "pending", _("Refund asked, awaiting the provider")
        FAILED = "failed", _("Refund failed")
        DONE = "done", _("Refunded")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class DeadlineReason(models.TextChoices):
        LIFETIME = "lifetime", _("the link's lifetime")
        BEFORE_START = "before_start", _("the visit's start")

    class CancelledBy(models.TextChoices):
        NONE = "", _("Not cancelled")
        STAFF = "staff", _("Staff")
        CLIENT = "client", _("Client")
        AUTO = "auto", _("Automatically")

    class LateResolution(models.TextChoices):
        NONE = "", _("Not decided")
        RESTORED = "restored", _("Visit restored")
        REFUNDED = "refunded", _("Refunded")
        KEPT = "kept", _("Kept on the balance")

    visit = models.ForeignKey("schedule.Visit", on_delete=models.CASCADE, related_name="bookings")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        "accounts.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booking_type = models.ForeignKey(
        BookingType, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    amount = MoneyField(_("amount"))
    currency = models.CharField(max_length=3, default="UAH")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    paid_late = models.BooleanField(_("paid late"), default=False)
    extra_payments = models.PositiveIntegerField(_("extra payments credited"), default=0)
    late_resolution = models.CharField(
        max_length=10, choices=LateResolution.choices, blank=True, default=""
    )
    paid_from_balance = models.BooleanField(_("paid from balance"), default=False)
    token = models.CharField(max_length=64, unique=True, default=new_public_token)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    source = models.CharField(max_length=10, blank=True)
    #: why, in the words of the language it was made in (exports, old bookings); pages say
    #: `reason_shown`, from `why` in their reader's language
    reason = models.CharField(_("why"), max_length=300, blank=True)
    why = models.JSONField(default=dict, blank=True, editable=False)
    payment = models.ForeignKey(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("pay by"))
    deadline_reason = models.CharField(
        _("deadline set by"),
        max_length=16,
        choices=DeadlineReason.choices,
        default=DeadlineReason.LIFETIME,
    )
    auto_cancel_at = models.DateTimeField(null=True, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    # Evidence (X4): what the client was shown, written once at creation; acceptance once.
    terms_snapshot = models.JSONField(default=dict, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_ip = models.GenericIPAddressField(null=True, blank=True)
    accepted_user_agent = models.CharField(max_length=400, blank=True)
    # The page's language when the client accepted: with the snapshot, the very text they
    # read (`agreement_accepted_text`). Empty on bookings accepted before it was recorded.
    accepted_language = models.CharField(max_length=2, blank=True, default="")
    created_by = models.CharField(max_length=200, blank=True)
    # The visit cancelled while it held the money (V2): who, and where the money went.
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=10, choices=CancelledBy.choices, blank=True, default=""
    )
    cancel_kept = MoneyField(_("kept as a fee"), default=0)
    cancel_to_balance = MoneyField(_("left on the balance"), default=0)
    cancel_refunded = MoneyField(_("refunded"), default=0)
    # The refund to the card after a cancellation: asked → done when the provider confirms;
    # failed (the provider's reason kept) until staff retry it. The client hears
    # "refunded" only once it is done.
    refund_state = models.CharField(
        _("refund to the card"),
        max_length=10,
        choices=RefundState.choices,
        blank=True,
        default="",
    )
    refund_error = models.CharField(_("why the refund failed"), max_length=300, blank=True)
    # The provider's code for it (`not_refundable`, `1123`, …: prepayments.refund_reasons);
    # pages show `refund_failure_text`, never the code or the provider's raw words.
    refund_error_code = models.CharField(
        _("refund failure code"), max_length=60, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="prepay_booking_due"),
            models.Index(fields=["status", "auto_cancel_at"], name="prepay_booking_cancel_due"),
            models.Index(fields=["status", "remind_at"], name="prepay_booking_remind_due"),
            models.Index(fields=["organization", "created_at"], name="prepay_booking_org_created"),
        ]
        constraints = [
            # One live booking per visit: a second one is a 409 naming the first.
            models.UniqueConstraint(
                fields=["visit"],
                condition=models.Q(status__in=["pending", "paid"]),
                name="prepayments_one_active_booking_per_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="prepayments_booking_amount_gt_0"
            ),
        ]

    #: What `__str__` reads, for `select_related` where many are named at once (the audit
    #: log); a row written with them not loaded keeps "Booking #<id>" (`core.audit`).
    str_related: ClassVar[tuple[str, ...]] = ("organization", *VISIT_NAMED_BY)

    def __str__(self) -> str:
        # The booking by its visit, «Стрижка жіноча, 7 грудня о 15:00» (the audit log's
        # object; its kind, "Booking", stands beside it), never by its number.
        return visit_named(self.visit, self.organization).render()

    @property
    def reason_shown(self) -> str:
        """Why this booking was made, in the active language (`prepayments.reasons`)."""
        return reason_text(self.why) if self.why else self.reason

    @property
    def payment_url(self) -> str:

        # Sweeps build thousands of these per batch; reverse() once, not per booking.
        return public_base() + _page_path_template().replace(_TOKEN_SLOT, self.token)

    @property
    def policy_name(self) -> str:
        """The cancellation policy the client agreed to, as its evidence names it; a preset
        nobody renamed in the page's language (`core.system_names`)."""
        policy = (self.terms_snapshot or {}).get("policy") or {}
        name, preset = str(policy.get("name") or ""), policy.get("preset") or ""
        if preset not in CancellationPolicy.Preset.values or not preset:
            return name
        return shown_name(name, CancellationPolicy.Preset(preset).label)

    @property
    def staff_url(self) -> str:
        return reverse("prepayments:detail", kwargs={"pk": self.pk})

    def agreement_snapshot_text(self, language: str | None) -> str:
        """The agreement frozen at creation as a client reads it in `language`; empty when
        the booking was made without one. Snapshots older than the English version have
        only `agreement_text`, which every language then reads."""
        terms = self.terms_snapshot or {}
        return client_text(
            terms.get("agreement_text") or "", terms.get("agreement_text_en"), language
        )

    @property
    def agreement_accepted_text(self) -> str:
        """The agreement as the client read it when accepting (staff's evidence)."""
        return self.agreement_snapshot_text(self.accepted_language)

    @property
    def refund_failure(self) -> str:
        """Why the refund to the card failed, said for staff (never the provider's code)."""
        return refund_failure_text(self.refund_error_code, self.refund_error)

    @property
    def clock(self) -> str:
        """grey (waiting) / green (the money came) / red (it did not come in time or was
        refunded), as the visit card shows it. A paid booking cancelled later with the money
        kept on the balance stays green."""
        if self.status == self.Status.PENDING:
            return "grey"
        if self.status == self.Status.PAID or (
            self.status == self.Status.CANCELLED and self.paid_at is not None
        ):
            return "green"
        return "red"


_TOKEN_SLOT = "__token__"


@functools.lru_cache(maxsize=1)
def _page_path_template() -> str:
    return reverse("prepayments:page", kwargs={"token": _TOKEN_SLOT})


class CancellationPolicy(OrgOwned):
    """What cancelling late or not coming costs (X3). Presets are seeded per organization
    (`services.policy_presets_ensure`); the organization's default is in the prepayment
    settings, a service or a booking type may name another."""

    class Preset(models.TextChoices):
        CUSTOM = "", pgettext_lazy("cancellation policy", "Custom")
        FLEXIBLE = "flexible", _("Flexible")
        MODERATE = "moderate", _("Moderate")
        STRICT = "strict", _("Strict")

    class FeeBase(models.TextChoices):
        PREPAYMENT = "prepayment", _("of the prepayment")
        PRICE = "price", _("of the price")

    class Rest(models.TextChoices):
        BALANCE = "balance", _("kept on the balance")
        REFUND = "refund", _("refunded to the card")
        STAFF = "staff", _("staff choose")

    name = models.CharField(_("name"), max_length=100)
    preset = models.CharField(max_length=10, choices=Preset.choices, blank=True, default="")
    free_cancel_hours = models.PositiveIntegerField(
        _("free cancellation, hours before"), default=24
    )
    late_cancel_fee_percent = models.PositiveIntegerField(_("late cancellation fee, %"), default=0)
    no_show_fee_percent = models.PositiveIntegerField(_("no-show fee, %"), default=0)
    fee_base = models.CharField(
        _("fee counted"), max_length=10, choices=FeeBase.choices, default=FeeBase.PREPAYMENT
    )
    late_cancel_rest = models.CharField(
        _("the rest of the prepayment"), max_length=10, choices=Rest.choices, default=Rest.BALANCE
    )
    review_hours = models.PositiveIntegerField(_("review before a no-show fee, hours"), default=24)
    exempt_tags = models.ManyToManyField(
        "clients.Tag", blank=True, related_name="+", verbose_name=_("exempt client tags")
    )
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="+", verbose_name=_("services")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cancellation policy")
        verbose_name_plural = _("cancellation policies")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(late_cancel_fee_percent__lte=100, no_show_fee_percent__lte=100),
                name="prepayments_policy_fee_le_100",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """A preset is named in the page's language until the organization renames it
        (`core.system_names`)."""
        if self.preset not in self.Preset.values or not self.preset:
            return self.name
        return shown_name(self.name, self.Preset(self.preset).label)


class Fee(OrgOwned):
    """A late-cancellation or no-show fee (X3). A no-show fee waits `review_hours` as
    pending (staff may waive it) and is then charged by the tick job; a late-cancellation
    fee is charged when the visit is cancelled. Charged = a ledger charge (purpose "fee")
    caused by the fee; waiving a charged fee cancels that entry."""

    class Kind(models.TextChoices):
        LATE_CANCEL = "late_cancel", _("Late cancellation")
        NO_SHOW = "no_show", pgettext_lazy("fee", "No-show")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending review")
        CHARGED = "charged", _("Charged")
        WAIVED = "waived", _("Waived")

    visit = models.ForeignKey("schedule.Visit", on_delete=models.CASCADE, related_name="+")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="fees"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(
        CancellationPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    amount = MoneyField(_("amount"))
    currency = models.CharField(max_length=3, default="UAH")
    charge_at = models.DateTimeField(_("charge after"), null=True, blank=True)
    charged_at = models.DateTimeField(_("charged"), null=True, blank=True)
    waived_at = models.DateTimeField(_("waived"), null=True, blank=True)
    waive_reason = models.CharField(_("reason for the waiver"), max_length=300, blank=True)
    entry_id_charged = models.BigIntegerField(null=True, blank=True, editable=False)
    policy_snapshot = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "charge_at"], name="prepay_fee_due")]
        constraints = [
            models.UniqueConstraint(fields=["visit", "kind"], name="prepayments_one_fee_per_kind"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="prepayments_fee_amount_gt_0"
            ),
        ]

    str_related: ClassVar[tuple[str, ...]] = ("organization", *VISIT_NAMED_BY)

    def __str__(self) -> str:
        # «Неявка: Манікюр, 7 грудня о 10:45»: which fee, for which visit.
        return f"{self.get_kind_display()}: {visit_named(self.visit, self.organization).render()}"
