"""Cross-cutting models: the audit log and the scheduler's job state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zapys.core.tenancy import OrgOwned


class AuditLog(OrgOwned):
    """One row per write made through a service: who, what, on which object, before/after.

    Rows are only ever inserted (the services never update or delete them).
    """

    class ActorKind(models.TextChoices):
        STAFF = "staff", _("Staff member")
        API_KEY = "api_key", _("API key")
        CLIENT_LINK = "client_link", _("Client via link")
        PROVIDER = "provider", _("Payment provider")
        SCHEDULER = "scheduler", _("Scheduler")
        SYSTEM = "system", _("System")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=20, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )


class JobState(models.Model):
    """When each periodic job last ran; `tick` uses it to decide what is due."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
