"""Clients of a business, their tags, freezes and imports (C1, C2, C3, C4, C8).

Writes go through `zapys.clients.services`; reads through `zapys.clients.selectors`.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zapys.clients.names import split_name
from zapys.core.collation import UKRAINIAN
from zapys.core.private_storage import get_private_storage, opaque_name
from zapys.core.tenancy import OrgManager, OrgOwned, OrgQuerySet
from zapys.core.tokens import new_public_token
from zapys.core.vocative import vocative

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


class Tag(OrgOwned):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=64, db_collation=UKRAINIAN)
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="clients_tag_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ClientQuerySet(OrgQuerySet["Client"]):
    def alive(self) -> ClientQuerySet:
        """Not soft-deleted: what every list, search and API shows by default (C4)."""
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> ClientQuerySet:
        return self.filter(deleted_at__isnull=False)

    def with_frozen(self, on_date: date) -> ClientQuerySet:
        """Annotate `is_frozen`: a freeze covers `on_date` (one subquery, no extra round trip)."""
        return self.annotate(
            is_frozen=Exists(ClientFreeze.objects.covering(on_date).filter(client=OuterRef("pk")))
        )


class ClientManager(OrgManager["Client"]):
    """The organization-scoped manager; soft-deleted rows stay reachable (`.alive()` hides them)."""

    def get_queryset(self) -> ClientQuerySet:
        # OrgManager applies (or enforces) the organization scope; keep its query.
        return ClientQuerySet(self.model, using=self._db, query=super().get_queryset().query)

    def for_org(self, org: Organization) -> ClientQuerySet:
        return ClientQuerySet(self.model, using=self._db).filter(organization=org)

    def alive(self) -> ClientQuerySet:
        return self.get_queryset().alive()

    def deleted(self) -> ClientQuerySet:
        return self.get_queryset().deleted()


class Client(OrgOwned):
    class Type(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        LEGAL_ENTITY = "legal_entity", _("Legal entity")

    class Status(models.TextChoices):
        # A client's status in words that have no gender («Відвідує», «Не відвідує»): the
        # badge stands next to a woman's name as well as a man's («Марченко Оксана
        # [Неактивний]» read wrong, issue 17); a context of their own, apart from the
        # other apps' "Active" (a service's «Активна»).
        ACTIVE = "active", pgettext_lazy("client status", "Active")
        INACTIVE = "inactive", pgettext_lazy("client status", "Inactive")
        LEAD = "lead", pgettext_lazy("client status", "Lead")

    # The display name, "Last First Middle" (Ukrainian order), kept by the services from the
    # parts below (a legal entity has only this): lists, search and exports read it.
    name = models.CharField(_("full name"), max_length=200, db_collation=UKRAINIAN)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    # How a Ukrainian message addresses the client («Оксано»), when staff know better than
    # the rule (`core.vocative`, which leaves names it is unsure of as written). Empty:
    # the rule's form of the first name.
    first_name_vocative = models.CharField(_("form of address"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    client_type = models.CharField(
        _("client type"), max_length=20, choices=Type.choices, default=Type.INDIVIDUAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="clients", verbose_name=_("tags"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # Lower-cased "name email phone", kept by the services: SQLite's LIKE only folds ASCII,
    # so a case-insensitive search for "олена" needs the text folded in Python.
    search_text = models.TextField(default="", blank=True, editable=False)
    # The client's cabinet link (K1): set when the client is created, so every client has one;
    # regenerating it (`clients.services.client_cabinet_link_regenerate`) kills the old link.
    cabinet_token = models.CharField(
        _("cabinet link"), max_length=64, unique=True, default=new_public_token, editable=False
    )

    objects: ClientManager = ClientManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organization", "name"]),
            # The list page: alive clients of one organization ordered by name, paginated.
            models.Index(
                fields=["organization", "deleted_at", "name", "id"], name="clients_list_idx"
            ),
            models.Index(fields=["organization", "phone"], name="clients_org_phone_idx"),
            models.Index(fields=["organization", "email"], name="clients_org_email_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def greeting_name(self) -> str:
        """How a message addresses the client: the first name; a company by its name; a row
        written without the services (no parts) by the first name guessed from the name."""
        if self.first_name or self.client_type == self.Type.LEGAL_ENTITY:
            return self.first_name or self.name
        return split_name(self.name).first_name or self.name

    @property
    def suggested_vocative(self) -> str:
        """The rule's vocative of the first name («Оксано»); a company is not declined."""
        if self.client_type == self.Type.LEGAL_ENTITY and not self.first_name:
            return self.name
        return vocative(self.greeting_name)

    @property
    def greeting_vocative(self) -> str:
        """How a Ukrainian message addresses the client: the form staff wrote, else the
        rule's («Оксано, нагадуємо…»)."""
        return self.first_name_vocative or self.suggested_vocative

    def greeting_in(self, language: str | None) -> str:
        """The greeting in a message's language: the vocative in Ukrainian, the first name
        as it is in English (which has no vocative)."""
        if (language or "").lower().startswith("uk"):
            return self.greeting_vocative
        return self.greeting_name

    def build_search_text(self) -> str:
        return " ".join(part for part in (self.name, self.email, self.phone) if part).lower()

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def cabinet_url(self) -> str:
        """The client's cabinet link (K1), absolute: what staff copy and messages carry."""
        return cabinet_url_for(self.cabinet_token)


_TOKEN_SLOT = "__token__"


@functools.lru_cache(maxsize=1)
def _cabinet_path_template() -> str:
    # The cabinet app owns the page; its URL name is the contract (like core.navigation's).
    return reverse("cabinet:page", kwargs={"token": _TOKEN_SLOT})


def cabinet_url_for(token: str) -> str:
    """The absolute cabinet URL of a token (lists and message batches: reverse() once)."""
    base = str(settings.ZAPYS_PUBLIC_URL).rstrip("/")
    return base + _cabinet_path_template().replace(_TOKEN_SLOT, token)


class ClientFreezeQuerySet(OrgQuerySet["ClientFreeze"]):
    def covering(self, on_date: date) -> ClientFreezeQuerySet:
        """Freezes in force on `on_date` (an early end on day D means the client is back on D)."""
        return self.filter(date_from__lte=on_date, date_to__gte=on_date).filter(
            Q(ended_early_at__isnull=True) | Q(ended_early_at__gt=on_date)
        )

    def not_over(self, on_date: date) -> ClientFreezeQuerySet:
        """Current or upcoming freezes: the ones that can still be ended early or
        cancelled. An ended or cancelled freeze is never one of them."""
        return self.filter(date_to__gte=on_date).filter(
            Q(ended_early_at__isnull=True)
            | (Q(ended_early_at__gt=on_date) & Q(ended_early_at__gt=F("date_from")))
        )


class ClientFreezeManager(OrgManager["ClientFreeze"]):
    def get_queryset(self) -> ClientFreezeQuerySet:
        return ClientFreezeQuerySet(self.model, using=self._db, query=super().get_queryset().query)

    def for_org(self, org: Organization) -> ClientFreezeQuerySet:
        return ClientFreezeQuerySet(self.model, using=self._db).filter(organization=org)

    def covering(self, on_date: date) -> ClientFreezeQuerySet:
        return self.get_queryset().covering(on_date)

    def not_over(self, on_date: date) -> ClientFreezeQuerySet:
        return self.get_queryset().not_over(on_date)


class ClientFreeze(OrgOwned):
    """A client's break (sick, on holiday) from `date_from` to `date_to` inclusive (C3).

    Memberships were extended by the frozen days they were valid on when the freeze was
    created; ending it early on day D (`ended_early_at` = D, the client is back that day)
    gives back the days from D to `date_to`. A freeze ended on or before its first day
    (`ended_early_at` <= `date_from`) is *cancelled*: it froze nothing.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="freezes")
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ended_early_at = models.DateField(_("ended early on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClientFreezeManager = ClientFreezeManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("freeze")
        verbose_name_plural = _("freezes")
        ordering = ["-date_from", "-id"]
        indexes = [models.Index(fields=["client", "date_from", "date_to"])]

    def __str__(self) -> str:
        return f"{self.client} {self.date_from:%Y-%m-%d}–{self.date_to:%Y-%m-%d}"

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def is_cancelled(self) -> bool:
        """Ended before it started (a planned freeze called off): no day was frozen."""
        return self.ended_early_at is not None and self.ended_early_at <= self.date_from

    @property
    def frozen_days(self) -> int:
        """The days actually frozen, taking an early end into account (0 if cancelled)."""
        return max((self.effective_end - self.date_from).days + 1, 0)

    @property
    def effective_end(self) -> date:
        """The last frozen day, taking an early end into account."""
        if self.ended_early_at is not None:
            return min(self.date_to, self.ended_early_at - timedelta(days=1))
        return self.date_to


def client_import_file_name(instance: ClientImport, filename: str) -> str:
    """An opaque name in the private storage: nothing of the uploaded name, the organization
    or the date (issue 10: imports used to be public under client_imports/YYYY/MM/)."""
    return opaque_name("client-imports")


class ClientImport(OrgOwned):
    """One uploaded import file: the worker's check and dry-run report, then progress and
    the final report (C8). The page polls this row while the worker reads or imports.

    The file lives in the private storage (never under MEDIA_ROOT, never served) only as
    long as it is needed: it is deleted when the import finishes or is refused, and the
    `clients.import_files` job deletes any left older than a day.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", pgettext_lazy("client import", "Checking")
        REFUSED = "refused", pgettext_lazy("client import", "Refused")
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", pgettext_lazy("client import", "Expired")

    file = models.FileField(
        storage=get_private_storage, upload_to=client_import_file_name, max_length=100, blank=True
    )
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: when and by whom the import was confirmed (queued for the worker)
    started_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("client import")
        verbose_name_plural = _("client imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
