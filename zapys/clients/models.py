"""Clients of a business and their tags (C1, C2). Extended by the clients issue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zapys.core.tenancy import OrgOwned


class Tag(OrgOwned):
    name = models.CharField(_("name"), max_length=64)
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="clients_tag_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Client(OrgOwned):
    name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="clients", verbose_name=_("tags"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        parts = self.name.split()
        # Ukrainian cards are usually "Surname Name"; with one word use it whole.
        return parts[1] if len(parts) > 1 else (parts[0] if parts else "")
