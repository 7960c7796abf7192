"""Organizations (tenants), branches, staff users with roles, API keys."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.core.fields import MoneyField
from zapys.core.tenancy import OrgOwned, current_org
from zapys.core.vocabulary import BusinessKind


class Organization(models.Model):
    """A business using Zapys. The root every other business row hangs from."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="UAH")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Kyiv")
    language = models.CharField(
        _("language"), max_length=5, default="uk", choices=[("uk", "Українська"), ("en", "English")]
    )
    # Names the catalogue's words («Майстер» or «Викладач», core/vocabulary.py). Organizations
    # made before the question get the neutral words until the owner says what they are.
    business_kind = models.CharField(
        _("kind of business"),
        max_length=16,
        choices=BusinessKind.choices,
        default=BusinessKind.OTHER,
    )
    # Requisites printed on invoices and payment pages.
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    tax_id = models.CharField(_("tax ID (EDRPOU / IPN)"), max_length=20, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    offer_url = models.URLField(_("public offer link"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Branch(OrgOwned):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(pgettext_lazy("branch", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name


class StaffManager(UserManager["User"]):
    """Users log in globally by username; inside an organization scope they are filtered.

    Unlike `OrgManager` a query with no scope is allowed, because authentication must
    find a user before anybody's organization is known.
    """

    def get_queryset(self) -> models.QuerySet[User]:
        qs = super().get_queryset()
        org = current_org()
        return qs.filter(organization_id=org.pk) if org is not None else qs

    def for_org(self, org: Organization) -> models.QuerySet[User]:
        return super().get_queryset().filter(organization=org)


class User(AbstractUser):
    """A staff member of one organization."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMINISTRATOR = "administrator", _("Administrator")
        SPECIALIST = "specialist", _("Specialist")

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SPECIALIST)
    branches = models.ManyToManyField(
        Branch, blank=True, related_name="staff", verbose_name=_("branches")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    hourly_rate = MoneyField(_("hourly rate"), default=0)
    language = models.CharField(_("interface language"), max_length=5, blank=True)

    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["first_name", "last_name", "id"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    def can_manage_settings(self) -> bool:
        return self.role == self.Role.OWNER


class ApiKey(OrgOwned):
    """A key for /api/v1. Only a hash is stored; the key itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100, default="API key")
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
