"""A client's freeze (C3, called by the clients app) moves the end of their memberships."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from zapys.core.audit import Actor, audit_record
from zapys.memberships.models import ClientMembership, FreezeExtension
from zapys.memberships.validity import freeze_overlap_days


def _frozen_range(freeze: Any) -> tuple[date, date]:
    """The days the client is (or was) actually frozen: an early end shortens the range,
    a freeze cancelled before it started has none (last < first)."""
    return freeze.date_from, freeze.effective_end


def _set_extension(
    *, membership: ClientMembership, extension: FreezeExtension, days: int
) -> tuple[date, date]:
    """Re-base `membership` on its end without this freeze and extend it by `days`."""
    base_end = max(membership.ends_on - timedelta(days=extension.days), membership.starts_on)
    before = membership.ends_on
    membership.ends_on = base_end + timedelta(days=days)
    if membership.ends_on != before:
        membership.save(update_fields=["ends_on"])
    if extension.pk is None or extension.days != days:
        extension.days = days
        extension.save()
    return before, membership.ends_on


@transaction.atomic
def membership_freeze_extend(*, client: Any, freeze: Any, actor: Actor, reason: str) -> int:
    """A client was frozen: extend each of their active memberships by the frozen days on
    which it is valid (the overlap of the freeze and the membership's validity — days
    before a membership starts or after it ends extend nothing). Returns how many changed."""
    first, last = _frozen_range(freeze)
    memberships = list(
        ClientMembership.objects.for_org(client.organization_id)
        .filter(
            client_id=client.pk,
            status=ClientMembership.Status.ACTIVE,
            starts_on__lte=last,
            ends_on__gte=first,
        )
        .exclude(freeze_extensions__freeze_id=freeze.pk)
        .select_for_update()
        .order_by("id")
    )
    changed = 0
    for m in memberships:
        days = freeze_overlap_days(starts_on=m.starts_on, ends_on=m.ends_on, first=first, last=last)
        if days == 0:
            continue
        extension = FreezeExtension(
            organization_id=client.organization_id, membership=m, freeze_id=freeze.pk, days=0
        )
        before, after = _set_extension(membership=m, extension=extension, days=days)
        changed += 1
        _audit_freeze_shift(client, actor, m, (before, after), reason, days, freeze.pk)
    return changed


def _audit_freeze_shift(
    client: Any,
    actor: Actor,
    membership: ClientMembership,
    ends_on: tuple[Any, Any],
    reason: str,
    days: int,
    freeze_id: int,
) -> None:
    """The audit row of a validity moved by a freeze (+days) or its release (-days)."""
    audit_record(
        organization=client.organization,
        actor=actor,
        action="membership.validity_shift",
        obj=membership,
        changes={
            "ends_on": list(ends_on),
            "reason": [None, reason],
            "days": [None, days],
            "freeze_id": [None, freeze_id],
        },
    )


@transaction.atomic
def membership_freeze_release(*, client: Any, freeze: Any, actor: Actor, reason: str) -> int:
    """A freeze was ended early or cancelled (`freeze.ended_early_at` is set): each
    membership it extended keeps only the days it was valid on within the shortened
    frozen range; the rest are taken back. Memberships the freeze never extended are not
    touched. Calling it again changes nothing. Returns how many memberships changed."""
    first, last = _frozen_range(freeze)
    extensions = list(
        FreezeExtension.objects.for_org(client.organization_id)
        .filter(
            freeze_id=freeze.pk,
            membership__client_id=client.pk,
            membership__status=ClientMembership.Status.ACTIVE,
        )
        .select_related("membership")
        .select_for_update()
        .order_by("id")
    )
    changed = 0
    for extension in extensions:
        m = extension.membership
        base_end = max(m.ends_on - timedelta(days=extension.days), m.starts_on)
        days = freeze_overlap_days(starts_on=m.starts_on, ends_on=base_end, first=first, last=last)
        if days == extension.days:
            continue
        taken_back = extension.days - days
        before, after = _set_extension(membership=m, extension=extension, days=days)
        changed += 1
        _audit_freeze_shift(client, actor, m, (before, after), reason, -taken_back, freeze.pk)
    return changed
