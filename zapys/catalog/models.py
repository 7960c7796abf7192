"""What a business sells: services (S1). Extended by the schedule and memberships issues."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zapys.core.fields import MoneyField
from zapys.core.tenancy import OrgOwned


class Service(OrgOwned):
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration, minutes"), default=60)
    price = MoneyField(_("price"), default=0)
    branches = models.ManyToManyField(
        "accounts.Branch", blank=True, related_name="services", verbose_name=_("branches")
    )
    # Who performs the service. None chosen: anyone who works in the service's branches (how
    # every service read before the list existed, so old data keeps working). The online
    # booking offers only these; staff may still book anyone and are warned.
    specialists = models.ManyToManyField(
        "accounts.User",
        blank=True,
        related_name="services_performed",
        verbose_name=_("specialists"),
    )
    description = models.TextField(_("description"), blank=True)
    online_booking = models.BooleanField(
        _("bookable online"), default=True, help_text=_("Shown on the public booking page.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["category", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="catalog_service_price_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gt=0), name="catalog_service_duration_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def performed_by(self, user_id: int | None) -> bool:
        """Whether the specialist performs this service: listed, or the list is empty (see
        `specialists`). Reads `specialists.all()`, so a prefetched list costs no query."""
        ids = {u.pk for u in self.specialists.all()}
        return not ids or user_id in ids


class Subject(OrgOwned):
    """A school subject (e.g. "English", "Piano"); groups and lessons belong to one."""

    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class LessonType(OrgOwned):
    """How a lesson is held: group, individual, trial, online, ..."""

    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lesson type")
        verbose_name_plural = _("lesson types")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Room(OrgOwned):
    branch = models.ForeignKey("accounts.Branch", on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Group(OrgOwned):
    """A group of clients who attend lessons together (a dance class, a school group)."""

    name = models.CharField(_("name"), max_length=200)
    branch = models.ForeignKey(
        "accounts.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    lesson_type = models.ForeignKey(
        LessonType, null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    teacher = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teaching_groups",
        verbose_name=_("teacher"),  # the group's history says "Teacher", not "User"
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=10)
    members = models.ManyToManyField("clients.Client", blank=True, related_name="catalog_groups")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
