"""Online membership sales (FEATURES O1–O5, X10).

The plans themselves stay in `memberships`; what this app adds is kept beside them:
- `OnlineSalesSettings`: one row per organization — the module switch, the payment account,
  the payment service's commission added to the buyer's price, auto-attach (X10), and the
  default look of new buttons;
- `PlanOnline`: one row per plan put on sale — "allow online sale", the button's text and
  its design (one-to-one with the plan, so memberships' model is untouched);
- `OnlineSale`: one purchase by a stranger. Its money is recorded when it arrives, with no
  client (`ledger.money.money_received_unassigned`), and lands on a client's account when
  staff (or X10) attach it: counted once.

    pending → paid → attached → refunded
    paid → refunded
"""

from __future__ import annotations

import functools

from django.conf import settings as django_settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zapys.core.fields import MoneyField
from zapys.core.money import format_money
from zapys.core.tenancy import OrgOwned
from zapys.core.tokens import new_public_token
from zapys.payments.config import public_base


class ButtonStyle(models.Model):
    """The button's design (O2), the nine settings of the seed's "button design" step."""

    text_color = models.CharField(_("text colour"), max_length=7, default="#ffffff")
    text_size = models.PositiveSmallIntegerField(_("text size, px"), default=16)
    bold = models.BooleanField(_("bold text"), default=True)
    background = models.CharField(_("background colour"), max_length=7, default="#6f42c1")
    border_color = models.CharField(_("border colour"), max_length=7, default="#6f42c1")
    border_width = models.PositiveSmallIntegerField(_("border width, px"), default=0)
    radius = models.PositiveSmallIntegerField(_("corner radius, px"), default=8)
    # Minimums, not sizes: a plan's long name in a fixed 240 px wrapped inside the button and
    # ran out of it; the button grows to fit its text, up to the width of the page it is on.
    width = models.PositiveSmallIntegerField(
        _("minimum button width, px"),
        default=240,
        help_text=_("A longer text makes the button wider, up to the width of the page."),
    )
    height = models.PositiveSmallIntegerField(
        _("minimum button height, px"),
        default=48,
        help_text=_("A text on two lines makes the button taller."),
    )

    class Meta:
        abstract = True


class OnlineSalesSettings(OrgOwned, ButtonStyle):
    """The module's settings (O1); the style fields are what a newly allowed plan starts with."""

    enabled = models.BooleanField(_("online membership sales enabled"), default=False)
    payment_account = models.ForeignKey(
        "payments.PaymentAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("payment account"),
    )
    commission_percent = models.DecimalField(
        _("payment service commission, %"),
        max_digits=5,
        decimal_places=2,
        default=0,
        help_text=_("Added to the price the buyer pays, shown as a separate line."),
    )
    auto_attach = models.BooleanField(
        _("attach automatically"),
        default=True,
        help_text=_(
            "When the buyer's phone or e-mail matches exactly one client, the membership is "
            "attached to that client without the activation code."
        ),
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("branch receiving the money"),
        help_text=_("Empty: the first active branch."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("online sales settings")
        verbose_name_plural = _("online sales settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="online_sales_settings_one"),
            models.CheckConstraint(
                condition=models.Q(commission_percent__gte=0, commission_percent__lte=50),
                name="online_sales_settings_commission_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class PlanOnline(OrgOwned, ButtonStyle):
    """A plan's online sale: allowed or not, its button's text and design (O2)."""

    plan = models.OneToOneField(
        "memberships.MembershipPlan", on_delete=models.CASCADE, related_name="online"
    )
    sell_online = models.BooleanField(_("allow online sale"), default=False)
    #: The Ukrainian button's text; empty: "Купити «<plan>»" (`label`).
    button_text = models.CharField(
        _("button text (Ukrainian)"),
        max_length=80,
        blank=True,
        help_text=_("Shown when the page is in Ukrainian; empty = “Buy” and the plan's name."),
    )
    #: The English button's text; empty: "Buy “<plan>”" — never the Ukrainian text above, a
    #: buyer reading English is better served by the English default than by a Ukrainian text.
    button_text_en = models.CharField(
        _("button text (English)"),
        max_length=80,
        blank=True,
        help_text=_("Shown when the page is in English; empty = “Buy” and the plan's name."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership plan on sale")
        verbose_name_plural = _("membership plans on sale")
        ordering = ["plan__name", "id"]

    def __str__(self) -> str:
        return self.button_text or str(self.plan_id)

    def label(self, language: str | None = None) -> str:
        """The button's text as a buyer reads it in `language` (the active one when not
        given): the text typed for that language, else "Buy “<plan>”" in that language.
        Each language defaults to its own words: the Ukrainian text on an English page (the
        rule of the organization's other client texts) read as a foreign button."""
        language = button_language(language)
        typed = self.button_text_en if language == "en" else self.button_text
        return typed or self.default_label(language)

    def default_label(self, language: str) -> str:
        """ "Buy “<plan>”" in `language`, whatever the language of the page asking (the staff
        editor shows each field's own default as its placeholder)."""
        from django.utils import translation

        with translation.override(button_language(language)):
            return translation.gettext("Buy “%(plan)s”") % {"plan": self.plan.name}


#: The languages a button has a text for: `button_text` is the Ukrainian one.
BUTTON_LANGUAGES = ("uk", "en")


def button_language(language: str | None) -> str:
    """The button text's language for a page in `language` (the active one when not given):
    English for English, Ukrainian for everything else."""
    from django.utils import translation

    code = (language or translation.get_language() or "uk")[:2]
    return "en" if code == "en" else "uk"


class OnlineSale(OrgOwned):
    """One purchase of a plan by a buyer who is not (yet) a known client."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid, not attached")
        ATTACHED = "attached", _("Attached")
        REFUNDED = "refunded", _("Refunded")

    plan = models.ForeignKey(
        "memberships.MembershipPlan", on_delete=models.RESTRICT, related_name="+"
    )
    plan_name = models.CharField(_("membership"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    price = MoneyField(_("price"))
    commission = MoneyField(_("commission"), default=0)
    amount = MoneyField(_("amount"))
    currency = models.CharField(max_length=3, default="UAH")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    activation_code = models.CharField(_("activation code"), max_length=9, blank=True)
    #: The public success page's address (192 random bits).
    token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    language = models.CharField(max_length=5, default="uk")
    payment = models.OneToOneField(
        "payments.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What money_received_unassigned wrote: what money_assign_to_client needs later.
    operation = models.ForeignKey(
        "ledger.FinancialOperation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    receipt = models.ForeignKey(
        "ledger.SalesReceipt", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    receipt_payment = models.ForeignKey(
        "ledger.SalesReceiptPayment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    membership = models.ForeignKey(
        "memberships.ClientMembership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    groups = models.ManyToManyField("catalog.Group", blank=True, related_name="+")
    #: The lessons the client was booked into when attaching (O4): a whole refund cancels
    #: those bookings still ahead, as it cancels the membership that was to pay for them.
    lessons = models.ManyToManyField("schedule.Visit", blank=True, related_name="+")
    auto_attached = models.BooleanField(default=False)
    attached_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    attached_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    @property
    def email_parts(self) -> tuple[str, str]:
        """The e-mail before and after its «@»: the list breaks a long one there."""
        local, _at, domain = self.email.rpartition("@")
        return (local, domain) if local else (self.email, "")

    class Meta:
        verbose_name = _("online sale")
        verbose_name_plural = _("online sales")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "activation_code"],
                condition=~models.Q(activation_code=""),
                name="online_sales_code_unique_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("price") + models.F("commission")),
                name="online_sales_amount_is_price_plus_commission",
            ),
        ]

    def __str__(self) -> str:
        # The plan and the activation code (the buyer's document); a sale with no code yet
        # by its amount, «4 візити на місяць · 1 200,00 грн» (it read «… · 4», the row's id).
        if self.activation_code:
            return f"{self.plan_name} · {self.activation_code}"
        language = (get_language() or "uk")[:2]
        return f"{self.plan_name} · {format_money(self.amount, self.currency, language)}"

    @functools.cached_property
    def success_url(self) -> str:
        return f"{public_base()}/shop/done/{self.token}/"
