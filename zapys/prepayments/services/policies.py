"""Cancellation policies (X3): the presets every organization starts with, custom ones,
which one a visit falls under, and the text the client reads (generated from the
settings, in Ukrainian and English, snapshotted into the booking's evidence)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError, NotFound, PermissionDenied
from zapys.core.text import clean_line
from zapys.prepayments.models import CancellationPolicy, PrepaymentSettings
from zapys.prepayments.services.prepayment_settings import prepayment_settings_get

if TYPE_CHECKING:
    from zapys.accounts.models import Organization

P = CancellationPolicy
#: Windows up to a month, a no-show review up to two weeks (Square charges up to 14 days).
MAX_WINDOW_HOURS = 24 * 30
MAX_REVIEW_HOURS = 24 * 14
#: The peers' presets (research.md §1.3, Fresha's Flexible / Moderate / Strict).
PRESETS: dict[str, dict[str, Any]] = {
    P.Preset.FLEXIBLE: {
        "free_cancel_hours": 2,
        "late_cancel_fee_percent": 0,
        "no_show_fee_percent": 10,
    },
    P.Preset.MODERATE: {
        "free_cancel_hours": 24,
        "late_cancel_fee_percent": 30,
        "no_show_fee_percent": 50,
    },
    P.Preset.STRICT: {
        "free_cancel_hours": 48,
        "late_cancel_fee_percent": 50,
        "no_show_fee_percent": 100,
    },
}
POLICY_FIELDS = (
    "name",
    "free_cancel_hours",
    "late_cancel_fee_percent",
    "no_show_fee_percent",
    "fee_base",
    "late_cancel_rest",
    "review_hours",
    "is_active",
)


@transaction.atomic
def policy_presets_ensure(organization: Organization) -> list[CancellationPolicy]:
    """The three presets (created once, named in the organization's language); the
    organization's default becomes Moderate when it has none."""
    existing = {
        p.preset: p for p in CancellationPolicy.objects.for_org(organization).exclude(preset="")
    }
    created = []
    for preset, values in PRESETS.items():
        if preset in existing:
            continue
        with override(organization.language or "uk"):
            name = str(P.Preset(preset).label)
        policy = CancellationPolicy.objects.create(
            organization=organization,
            name=name,
            preset=preset,
            **values,
        )
        existing[preset] = policy
        created.append(policy)
    if created:
        audit_record(
            organization=organization,
            actor=Actor.system("prepayments"),
            action="cancellation_policy.presets",
            obj=created[0],
            changes={"names": [None, ", ".join(p.name for p in created)]},
        )
    settings = prepayment_settings_get(organization)
    if settings.cancellation_policy_id is None:
        PrepaymentSettings.objects.for_org(organization).filter(pk=settings.pk).update(
            cancellation_policy=existing[P.Preset.MODERATE]
        )
    return list(CancellationPolicy.objects.for_org(organization).order_by("id"))


def _check(organization: Organization, fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "name" in out:
        out["name"] = clean_line(out["name"] or "")[:100]
        if not out["name"]:
            raise DomainError(_("Enter a name."), field="name")
    for name in ("late_cancel_fee_percent", "no_show_fee_percent"):
        value = out.get(name)
        if value is not None and not 0 <= int(value) <= 100:
            raise DomainError(_("A fee is between 0 and 100%."), field=name)
    for name, top in (("free_cancel_hours", MAX_WINDOW_HOURS), ("review_hours", MAX_REVIEW_HOURS)):
        value = out.get(name)
        if value is not None and not 0 <= int(value) <= top:
            raise DomainError(_("Enter between 0 and %(max)s hours.") % {"max": top}, field=name)
    if out.get("fee_base") not in (None, *P.FeeBase.values):
        raise DomainError(_("Choose what the fee is counted of."), field="fee_base")
    if out.get("late_cancel_rest") not in (None, *P.Rest.values):
        raise DomainError(_("Choose where the rest goes."), field="late_cancel_rest")
    tags = out.get("exempt_tags")
    if tags is not None:
        for tag in tags:
            if tag.organization_id != organization.pk:
                raise NotFound(_("Unknown tag."), field="exempt_tags")
    services = out.get("services")
    if services is not None:
        for service in services:
            if service.organization_id != organization.pk:
                raise NotFound(_("Unknown service."), field="service_ids")
    return out


def _may_manage(actor: Actor) -> None:
    if actor.user is not None and not actor.user.can_manage_settings():
        raise PermissionDenied(_("Only the owner can change the cancellation policies."))


@transaction.atomic
def cancellation_policy_create(
    *, organization: Organization, actor: Actor, **fields: Any
) -> CancellationPolicy:
    """A custom policy. Refuses (nothing written): no name, a fee over 100%, hours out of
    range, another organization's tags or services."""
    _may_manage(actor)
    checked = _check(organization, {"name": "", **fields})
    tags = checked.pop("exempt_tags", None) or []
    services = checked.pop("services", None) or []
    policy = CancellationPolicy.objects.create(organization=organization, **checked)
    policy.exempt_tags.set(tags)
    policy.services.set(services)
    audit_record(
        organization=organization,
        actor=actor,
        action="cancellation_policy.create",
        obj=policy,
        changes={k: [None, v] for k, v in checked.items()},
    )
    return policy


@transaction.atomic
def cancellation_policy_update(
    *, policy: CancellationPolicy, actor: Actor, **fields: Any
) -> CancellationPolicy:
    _may_manage(actor)
    checked = _check(policy.organization, fields)
    tags = checked.pop("exempt_tags", None)
    services = checked.pop("services", None)
    before = {k: getattr(policy, k) for k in checked}
    for key, value in checked.items():
        setattr(policy, key, value)
    policy.save()
    if tags is not None:
        policy.exempt_tags.set(tags)
    if services is not None:
        policy.services.set(services)
    audit_record(
        organization=policy.organization,
        actor=actor,
        action="cancellation_policy.update",
        obj=policy,
        changes=changes_between(before, checked),
    )
    return policy
