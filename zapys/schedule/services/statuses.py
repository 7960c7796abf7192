"""Visit statuses: the organization's default set, custom statuses, and which of them only
the system may set (the prepayment app's "cancelled: booking unpaid")."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.accounts.models import Organization
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError, PermissionDenied
from zapys.core.models import AuditLog
from zapys.core.prepared import PreparedQuery
from zapys.core.text import clean_line
from zapys.schedule.models import VisitStatus

SYSTEM_ACTOR_KINDS = {
    AuditLog.ActorKind.SYSTEM,
    AuditLog.ActorKind.SCHEDULER,
    AuditLog.ActorKind.PROVIDER,
}


# code, English name (translated into the organization's language when created), colour,
# order, flags. "cancelled_unpaid" is the system status the prepayment app cancels into.
DEFAULT_STATUSES: list[tuple[str, str, str, int, dict[str, bool]]] = [
    ("booked", gettext_noop("Booked"), "#0d6efd", 10, {"is_default": True}),
    ("confirmed", gettext_noop("Confirmed"), "#6f42c1", 20, {}),
    ("came", gettext_noop("Attended"), "#198754", 30, {"counts_as_came": True}),
    ("no_show", gettext_noop("No-show"), "#fd7e14", 40, {"is_no_show": True}),
    ("cancelled", gettext_noop("Cancelled"), "#6c757d", 50, {"is_cancellation": True}),
    (
        "cancelled_unpaid",
        gettext_noop("Cancelled: booking unpaid"),
        "#dc3545",
        60,
        {"is_cancellation": True, "hidden_in_calendar": True, "is_system": True},
    ),
]


#: System statuses another app creates when asked rather than seeded here, code → msgid: the
#: prepayment settings' dedicated cancellation status (`prepayments.cancel_status_create`).
#: Named apart from the seeded "cancelled_unpaid" (the one the prepayment app falls back to),
#: so an owner who sees both in the status list can tell them apart.
ON_REQUEST_STATUS_NAMES = {
    "prepayment_unpaid": gettext_noop("Cancelled: prepayment not received (dedicated)"),
}

#: The msgid each default or system status was named from, by code
#: (`VisitStatus.display_name`: shown in the page's language until the organization renames it).
DEFAULT_STATUS_NAMES = {
    **{code: name for code, name, *_rest in DEFAULT_STATUSES},
    **ON_REQUEST_STATUS_NAMES,
}

#: Defaults the seeding used before: Ukrainian ones that were not gender-neutral ("Записаний"
#: said "he is booked" of every client, women too) and the English "Came" (the attendance
#: mark said "Attended" of the same visit), and the unpaid cancellation's "бронь", then
#: "бронювання" (the thing paid before a visit is «передоплата»). Rows still stored with them
#: are unrenamed defaults: they are shown in the page's language like today's defaults
#: (migrations 0007, 0008 and 0010 rename them; these also cover rows restored from older
#: backups, and rows seeded while the catalogue said «бронювання»).
FORMER_STATUS_NAMES: dict[str, tuple[str, ...]] = {
    "booked": ("Записаний",),
    "came": ("Прийшов", "Came"),
    "no_show": ("Не прийшов",),
    "cancelled_unpaid": ("Скасовано: бронь не оплачена", "Скасовано: бронювання не оплачено"),
}


def is_system_actor(actor: Actor) -> bool:
    return actor.kind in SYSTEM_ACTOR_KINDS


# Read by every arrival and status move (a checkout): compiled once (core/prepared.py).
_STATUSES: PreparedQuery[VisitStatus] = PreparedQuery(
    lambda s: VisitStatus.objects.for_org(s.org()).all()
)


def visit_statuses_ensure(*, organization: Organization) -> dict[str, VisitStatus]:
    """The organization's statuses by code, creating the default set the first time."""
    statuses = {s.code: s for s in _STATUSES.objects(org=organization.pk)}
    if statuses:
        return statuses
    with transaction.atomic(), translation.override(organization.language or "uk"):
        for code, name, color, order, flags in DEFAULT_STATUSES:
            status, _created = VisitStatus.objects.for_org(organization).get_or_create(
                organization=organization,
                code=code,
                defaults={"name": _(name), "color": color, "order": order, **flags},
            )
            statuses[code] = status
    return statuses


def visit_status_default(organization: Organization) -> VisitStatus:
    """The status a new visit gets (the organization's default; "booked" otherwise)."""
    statuses = visit_statuses_ensure(organization=organization)
    for status in statuses.values():
        if status.is_default and not status.is_system:
            return status
    return statuses.get("booked") or next(iter(statuses.values()))


def status_first(organization: Organization, **flags: bool) -> VisitStatus:
    statuses = visit_statuses_ensure(organization=organization)
    for status in sorted(statuses.values(), key=lambda s: (s.order, s.pk)):
        if status.is_system or not status.is_active:
            continue
        if all(getattr(status, k) == v for k, v in flags.items()):
            return status
    return visit_status_default(organization)


STATUS_FIELDS = (
    "name",
    "color",
    "order",
    "counts_as_came",
    "is_cancellation",
    "is_no_show",
    "hidden_in_calendar",
    "is_default",
    "is_active",
)


def _validate_status_fields(fields: dict[str, Any]) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        raise DomainError(_("Enter the status name."), field="name")
    color = fields.get("color")
    if color is not None and (
        len(color) != 7
        or not color.startswith("#")
        or any(c not in "0123456789abcdefABCDEF" for c in color[1:])
    ):
        raise DomainError(_("Enter a colour like #1a2b3c."), field="color")
    flags = [k for k in ("counts_as_came", "is_cancellation", "is_no_show") if fields.get(k)]
    if len(flags) > 1:
        raise DomainError(
            _("A status can be only one of: attended, no-show, cancellation."),
            field="counts_as_came",
        )


@transaction.atomic
def visit_status_create(
    *,
    organization: Organization,
    name: str,
    actor: Actor,
    color: str = "#0d6efd",
    order: int = 100,
    counts_as_came: bool = False,
    is_cancellation: bool = False,
    is_no_show: bool = False,
    hidden_in_calendar: bool = False,
    is_system: bool = False,
    code: str = "",
) -> VisitStatus:
    """A new status. `is_system=True` only for system actors (e.g. the prepayment app
    creating its own cancellation status)."""
    if is_system and not is_system_actor(actor):
        raise PermissionDenied(_("Only the system can create system statuses."))
    fields = {
        "name": clean_line(name),
        "color": color,
        "order": order,
        "counts_as_came": counts_as_came,
        "is_cancellation": is_cancellation,
        "is_no_show": is_no_show,
        "hidden_in_calendar": hidden_in_calendar,
    }
    _validate_status_fields(fields)
    visit_statuses_ensure(organization=organization)
    qs = VisitStatus.objects.for_org(organization)
    if not code:
        n = qs.count() + 1
        code = f"custom-{n}"
        while qs.filter(code=code).exists():
            n += 1
            code = f"custom-{n}"
    elif qs.filter(code=code).exists():
        raise Conflict(_("A status with this code already exists."), field="code")
    status = qs.create(organization=organization, code=code, is_system=is_system, **fields)
    audit_record(
        organization=organization,
        actor=actor,
        action="visit_status.create",
        obj=status,
        changes=fields,
    )
    return status


@transaction.atomic
def visit_status_update(*, status: VisitStatus, actor: Actor, **fields: Any) -> VisitStatus:
    unknown = set(fields) - set(STATUS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if status.is_system and not is_system_actor(actor):
        behaviour = set(fields) - {"name", "color", "order"}
        if behaviour:
            raise PermissionDenied(
                _("A system status's behaviour cannot be changed; only its name and colour.")
            )
    if "name" in fields:
        fields["name"] = clean_line(str(fields["name"]))
    _validate_status_fields(fields)
    before = {k: getattr(status, k) for k in fields}
    if fields.get("is_default"):
        VisitStatus.objects.for_org(status.organization).exclude(pk=status.pk).update(
            is_default=False
        )
    for key, value in fields.items():
        setattr(status, key, value)
    if fields:
        status.save(update_fields=list(fields))
    audit_record(
        organization=status.organization,
        actor=actor,
        action="visit_status.update",
        obj=status,
        changes=changes_between(before, fields),
    )
    return status
