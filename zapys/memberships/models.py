"""Membership plans (C6) and the memberships sold to clients (C7).

A plan is the price list item ("8 dance classes a month, 1 200 грн"); a client membership
is one sale of it with its own dates and visit counter, copied from the plan at sale time
so a later price or validity change of the plan does not rewrite what a client bought.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from zapys.core.fields import MoneyField
from zapys.core.tenancy import OrgOwned


class MembershipPlan(OrgOwned):
    class ValidityUnit(models.TextChoices):
        # Context: core's "Days" is a count's heading ("Днів"); a unit is "Дні".
        DAYS = "days", pgettext_lazy("validity unit", "Days")
        MONTHS = "months", pgettext_lazy("validity unit", "Months")

    class Kind(models.TextChoices):
        PERMANENT = "permanent", _("Regular (can be sold online)")
        ONE_OFF = "one_off", _("One-off")

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price = MoneyField(_("price"))
    validity_value = models.PositiveIntegerField(_("validity"), default=1)
    validity_unit = models.CharField(
        _("validity unit"), max_length=10, choices=ValidityUnit.choices, default=ValidityUnit.MONTHS
    )
    visits = models.PositiveIntegerField(
        pgettext_lazy("membership", "visits"),
        null=True,
        blank=True,
        help_text=_("Empty means unlimited"),
    )
    covers_everything = models.BooleanField(_("covers every service and group"), default=True)
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="+", verbose_name=_("services")
    )
    groups = models.ManyToManyField(
        "catalog.Group", blank=True, related_name="+", verbose_name=_("groups")
    )
    subjects = models.ManyToManyField(
        "catalog.Subject", blank=True, related_name="+", verbose_name=_("subjects")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERMANENT)
    #: The sold membership gets a ledger account of its own; the pages call it the
    #: membership's separate balance («рахунок» alone is an invoice).
    separate_account = models.BooleanField(
        _("separate membership balance"),
        default=False,
        help_text=_("Keep this membership's money apart from the client's main balance"),
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership plan")
        verbose_name_plural = _("membership plans")
        ordering = ["is_archived", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="memberships_plan_price_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(validity_value__gt=0), name="memberships_plan_validity_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(visits__isnull=True) | models.Q(visits__gt=0),
                name="memberships_plan_visits_gt_0",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unlimited(self) -> bool:
        return self.visits is None

    @property
    def validity_text(self) -> str:
        """The validity in words, the unit in the form its number needs, in the active
        language: "1 month", "3 months"; uk "1 місяць", "3 місяці", "5 місяців"."""
        n = self.validity_value
        if self.validity_unit == self.ValidityUnit.DAYS:
            return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}
        return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


class ClientMembership(OrgOwned):
    class SaleMode(models.TextChoices):
        PAID = "paid", _("Paid")
        CREDIT = "credit", _("On credit")
        FREE = "free", _("Without payment")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", pgettext_lazy("membership status", "Cancelled")

    client = models.ForeignKey(
        "clients.Client", on_delete=models.RESTRICT, related_name="memberships"
    )
    plan = models.ForeignKey(MembershipPlan, on_delete=models.RESTRICT, related_name="sold")
    account = models.ForeignKey(
        "ledger.Account", on_delete=models.RESTRICT, related_name="memberships"
    )
    name = models.CharField(_("name"), max_length=200)
    price = MoneyField(_("price"))
    sale_mode = models.CharField(_("sale mode"), max_length=10, choices=SaleMode.choices)
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"))
    visits_total = models.PositiveIntegerField(
        pgettext_lazy("membership", "visits"), null=True, blank=True
    )
    visits_used = models.PositiveIntegerField(_("visits used"), default=0)
    virtual_visits = models.PositiveIntegerField(_("virtual visits"), default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    renewed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewals"
    )
    branch = models.ForeignKey(
        "accounts.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Empty: what the plan covers. Set (an online sale attached "for these groups", O4): the
    # membership is used only for lessons of these groups — never for another group's lesson
    # nor for an individual visit (`selectors._covering`).
    groups = models.ManyToManyField(
        "catalog.Group",
        blank=True,
        related_name="+",
        verbose_name=_("groups the client may attend"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["client", "status", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="memberships_cm_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(visits_total__isnull=True)
                | models.Q(visits_used__lte=models.F("visits_total") - models.F("virtual_visits")),
                name="memberships_cm_visits_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y})"

    @property
    def is_unlimited(self) -> bool:
        return self.visits_total is None

    @property
    def visits_left(self) -> int | None:
        if self.visits_total is None:
            return None
        return max(self.visits_total - self.visits_used - self.virtual_visits, 0)

    def is_valid_on(self, day: date) -> bool:
        return self.status == self.Status.ACTIVE and self.starts_on <= day <= self.ends_on

    @property
    def payment_cancelled(self) -> bool:
        """Sold as paid, but the payment was cancelled in the ledger since: the client owes
        the price. Read from `selectors.with_payment_state` annotations (False without)."""
        return bool(getattr(self, "has_cancelled_payment", False)) and not getattr(
            self, "has_active_payment", True
        )


class MembershipUsage(OrgOwned):
    """One visit taken from a membership, linked to what caused it (a visit, a lesson
    participant). At most one live usage per cause: attendance marked twice consumes once."""

    membership = models.ForeignKey(
        ClientMembership, on_delete=models.CASCADE, related_name="usages"
    )
    cause_type = models.CharField(max_length=100)
    cause_id = models.CharField(max_length=64)
    on_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-on_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cause_type", "cause_id"],
                condition=models.Q(returned_at__isnull=True),
                name="memberships_usage_one_live_per_cause",
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} ← {self.cause_type}#{self.cause_id}"


class FreezeExtension(OrgOwned):
    """The days one client freeze added to one membership (C3): only the frozen days on
    which the membership was valid. Kept so that ending or cancelling the freeze gives
    back exactly these days — and never touches a membership the freeze did not extend."""

    membership = models.ForeignKey(
        ClientMembership, on_delete=models.CASCADE, related_name="freeze_extensions"
    )
    freeze = models.ForeignKey("clients.ClientFreeze", on_delete=models.CASCADE, related_name="+")
    days = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "freeze"], name="memberships_freeze_ext_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} +{self.days} ({self.freeze_id})"
