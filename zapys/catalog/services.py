"""Writes for the catalogue (S1): services, subjects, lesson types, rooms, groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Group, LessonType, Room, Service, Subject
from zapys.clients.models import Client
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError, PermissionDenied
from zapys.core.text import clean_line, strip_control

SERVICE_FIELDS = (
    "name",
    "category",
    "duration_minutes",
    "price",
    "description",
    "online_booking",
    "is_active",
)


def _require_manager(actor: Actor) -> None:
    """Specialists see the catalogue; owners and administrators change it."""
    if actor.user is not None and actor.user.role == User.Role.SPECIALIST:
        raise PermissionDenied(_("Only owners and administrators can change the catalogue."))


def _clean_text(fields: dict[str, Any]) -> None:
    """Names and categories are one line, a description may have several; control characters
    go from all of them (see `core.text`: they break PostgreSQL and XLSX exports). Anything
    that is not text is left for the validation to refuse."""
    for key in ("name", "category"):
        if isinstance(fields.get(key), str):
            fields[key] = clean_line(fields[key])
    if isinstance(fields.get("description"), str):
        fields["description"] = strip_control(fields["description"])


def _validate_service(fields: dict[str, Any]) -> None:
    name = fields.get("name", "")
    if "name" in fields and not (isinstance(name, str) and name.strip()):
        raise DomainError(_("Enter the service's name."), field="name")
    if "duration_minutes" in fields and (
        fields["duration_minutes"] is None or int(fields["duration_minutes"]) <= 0
    ):
        raise DomainError(_("The duration must be at least one minute."), field="duration_minutes")
    if "duration_minutes" in fields and int(fields["duration_minutes"]) > 24 * 60:
        raise DomainError(_("The duration cannot exceed 24 hours."), field="duration_minutes")
    if "price" in fields and (fields["price"] is None or int(fields["price"]) < 0):
        raise DomainError(_("The price cannot be negative."), field="price")


def _branches_of(organization: Organization, branch_ids: Iterable[int]) -> list[Branch]:
    ids = set(branch_ids)
    branches = list(Branch.objects.for_org(organization).filter(pk__in=ids))
    if len(branches) != len(ids):
        raise DomainError(_("Unknown branch."), field="branch_ids")
    return branches


def _specialists_of(organization: Organization, specialist_ids: Iterable[int]) -> list[User]:
    """The organization's staff of these ids (archived ones included: a service keeps who
    performed it); an id of another organization or of no one is refused."""
    ids = set(specialist_ids)
    found = list(User.objects.for_org(organization).filter(pk__in=ids))
    if len(found) != len(ids):
        raise DomainError(_("Unknown specialist."), field="specialist_ids")
    return found


@transaction.atomic
def service_create(
    *,
    organization: Organization,
    name: str,
    duration_minutes: int,
    price: int,
    actor: Actor,
    category: str = "",
    description: str = "",
    online_booking: bool = True,
    branch_ids: Iterable[int] | None = None,
    specialist_ids: Iterable[int] = (),
) -> Service:
    """A new service; `specialist_ids` empty: anyone in its branches performs it."""
    _require_manager(actor)
    fields = {
        "name": name,
        "category": category,
        "duration_minutes": duration_minutes,
        "price": price,
        "description": description,
        "online_booking": online_booking,
    }
    _clean_text(fields)
    _validate_service(fields)
    branches = (
        _branches_of(organization, branch_ids)
        if branch_ids is not None
        else list(Branch.objects.for_org(organization))
    )
    specialists = _specialists_of(organization, specialist_ids or ())
    service = Service.objects.for_org(organization).create(organization=organization, **fields)
    service.branches.set(branches)
    service.specialists.set(specialists)
    audit_record(
        organization=organization,
        actor=actor,
        action="service.create",
        obj=service,
        changes={
            **fields,
            "branch_ids": sorted(b.pk for b in branches),
            "specialist_ids": sorted(u.pk for u in specialists),
        },
    )
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    actor: Actor,
    branch_ids: Iterable[int] | None = None,
    specialist_ids: Iterable[int] | None = None,
    **fields: Any,
) -> Service:
    """Change the given fields; `branch_ids` / `specialist_ids` None: unchanged."""
    _require_manager(actor)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    _clean_text(fields)
    _validate_service(fields)
    before: dict[str, Any] = {k: getattr(service, k) for k in fields}
    after: dict[str, Any] = dict(fields)
    for key, value in fields.items():
        setattr(service, key, value)
    if fields:
        service.save(update_fields=list(fields))
    if branch_ids is not None:
        branches = _branches_of(service.organization, branch_ids)
        before["branch_ids"] = sorted(service.branches.values_list("id", flat=True))
        service.branches.set(branches)
        after["branch_ids"] = sorted(b.pk for b in branches)
    if specialist_ids is not None:
        specialists = _specialists_of(service.organization, specialist_ids)
        before["specialist_ids"] = sorted(service.specialists.values_list("id", flat=True))
        service.specialists.set(specialists)
        after["specialist_ids"] = sorted(u.pk for u in specialists)
    audit_record(
        organization=service.organization,
        actor=actor,
        action="service.update",
        obj=service,
        changes=changes_between(before, after),
    )
    return service


@transaction.atomic
def subject_create(*, organization: Organization, name: str, actor: Actor) -> Subject:
    _require_manager(actor)
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    subject = Subject.objects.for_org(organization).create(organization=organization, name=name)
    audit_record(organization=organization, actor=actor, action="subject.create", obj=subject)
    return subject


@transaction.atomic
def lesson_type_create(*, organization: Organization, name: str, actor: Actor) -> LessonType:
    _require_manager(actor)
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    lesson_type = LessonType.objects.for_org(organization).create(
        organization=organization, name=name
    )
    audit_record(
        organization=organization, actor=actor, action="lesson_type.create", obj=lesson_type
    )
    return lesson_type


@transaction.atomic
def room_create(
    *, organization: Organization, branch: Branch, name: str, capacity: int, actor: Actor
) -> Room:
    _require_manager(actor)
    if branch.organization_id != organization.pk:
        raise DomainError(_("Unknown branch."), field="branch_id")
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    if capacity < 1:
        raise DomainError(_("The capacity must be at least 1."), field="capacity")
    room = Room.objects.for_org(organization).create(
        organization=organization, branch=branch, name=name, capacity=capacity
    )
    audit_record(organization=organization, actor=actor, action="room.create", obj=room)
    return room


@transaction.atomic
def subject_update(
    *, subject: Subject, actor: Actor, name: str | None = None, is_active: bool | None = None
) -> Subject:
    """Rename a subject or archive it (is_active=False: it stays on the groups, lessons and
    plans that have it, and is offered for no new one); restore it the same way."""
    return _named_update(subject, "subject.update", actor, name=name, is_active=is_active)


@transaction.atomic
def lesson_type_update(
    *, lesson_type: LessonType, actor: Actor, name: str | None = None, is_active: bool | None = None
) -> LessonType:
    """Rename or archive a lesson type (see `subject_update`)."""
    return _named_update(lesson_type, "lesson_type.update", actor, name=name, is_active=is_active)


def _named_update(
    obj: Subject | LessonType | Room,
    action: str,
    actor: Actor,
    *,
    name: str | None,
    is_active: bool | None,
    **checked: Any,
) -> Any:
    """Set the given fields (None: unchanged) and audit what changed. `name` is cleaned and
    required; `checked` are fields the caller has already validated (a room's branch)."""
    _require_manager(actor)
    fields: dict[str, Any] = {k: v for k, v in checked.items() if v is not None}
    if name is not None:
        name = clean_line(name)
        if not name:
            raise DomainError(_("Enter a name."), field="name")
        fields["name"] = name
    if is_active is not None:
        fields["is_active"] = bool(is_active)
    before = {k: getattr(obj, k) for k in fields}
    for key, value in fields.items():
        setattr(obj, key, value)
    changes = changes_between(before, fields)
    if changes:
        obj.save(update_fields=list(fields))
        audit_record(
            organization=obj.organization, actor=actor, action=action, obj=obj, changes=changes
        )
    return obj


@transaction.atomic
def room_update(
    *,
    room: Room,
    actor: Actor,
    name: str | None = None,
    branch: Branch | None = None,
    capacity: int | None = None,
    is_active: bool | None = None,
) -> Room:
    """Change a room or archive it (is_active=False: its lessons keep it; it is offered for
    no new one); restore it the same way."""
    _require_manager(actor)
    if branch is not None and branch.organization_id != room.organization_id:
        raise DomainError(_("Unknown branch."), field="branch_id")
    if capacity is not None and capacity < 1:
        raise DomainError(_("The capacity must be at least 1."), field="capacity")
    return _named_update(
        room,
        "room.update",
        actor,
        name=name,
        is_active=is_active,
        branch=branch,
        capacity=capacity,
    )


def _check_group_refs(organization: Organization, refs: dict[str, Any]) -> None:
    for field, obj in refs.items():
        if obj is None:
            continue
        org_id = getattr(obj, "organization_id", None)
        if org_id != organization.pk:
            raise DomainError(_("Unknown object."), field=field)


@transaction.atomic
def group_create(
    *,
    organization: Organization,
    name: str,
    actor: Actor,
    branch: Branch | None = None,
    subject: Subject | None = None,
    lesson_type: LessonType | None = None,
    teacher: User | None = None,
    capacity: int = 10,
    member_ids: Iterable[int] = (),
) -> Group:
    _require_manager(actor)
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    if capacity < 1:
        raise DomainError(_("The capacity must be at least 1."), field="capacity")
    _check_group_refs(
        organization,
        {
            "branch_id": branch,
            "subject_id": subject,
            "lesson_type_id": lesson_type,
            "teacher_id": teacher,
        },
    )
    group = Group.objects.for_org(organization).create(
        organization=organization,
        name=name,
        branch=branch,
        subject=subject,
        lesson_type=lesson_type,
        teacher=teacher,
        capacity=capacity,
    )
    members = _members(organization, member_ids)
    if len(members) > capacity:
        raise DomainError(_("More members than the group's capacity."), field="member_ids")
    group.members.set(members)
    audit_record(
        organization=organization,
        actor=actor,
        action="group.create",
        obj=group,
        changes={"member_ids": sorted(m.pk for m in members)},
    )
    return group


@transaction.atomic
def group_update(
    *,
    group: Group,
    name: str,
    actor: Actor,
    branch: Branch | None = None,
    subject: Subject | None = None,
    lesson_type: LessonType | None = None,
    teacher: User | None = None,
    capacity: int = 10,
    member_ids: Iterable[int] = (),
) -> Group:
    """Everything the group form shows: its details and its members, one audit row with
    what changed. Lessons already scheduled keep their own teacher, room and participants."""
    _require_manager(actor)
    organization = group.organization
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    if capacity < 1:
        raise DomainError(_("The capacity must be at least 1."), field="capacity")
    refs = {"branch": branch, "subject": subject, "lesson_type": lesson_type, "teacher": teacher}
    _check_group_refs(organization, {f"{key}_id": obj for key, obj in refs.items()})
    members = _members(organization, member_ids)
    if len(members) > capacity:
        raise DomainError(_("More members than the group's capacity."), field="member_ids")
    details: dict[str, Any] = {
        "name": name,
        "capacity": capacity,
        **{f"{key}_id": obj.pk if obj is not None else None for key, obj in refs.items()},
    }
    before: dict[str, Any] = {key: getattr(group, key) for key in details}
    before["member_ids"] = sorted(group.members.values_list("id", flat=True))
    for key, value in details.items():
        setattr(group, key, value)
    group.save(update_fields=list(details))
    group.members.set(members)
    audit_record(
        organization=organization,
        actor=actor,
        action="group.update",
        obj=group,
        changes=changes_between(before, {**details, "member_ids": sorted(m.pk for m in members)}),
    )
    return group


def _members(organization: Organization, member_ids: Iterable[int]) -> list[Any]:

    ids = set(member_ids)
    members = list(Client.objects.for_org(organization).filter(pk__in=ids))
    if len(members) != len(ids):
        raise DomainError(_("Unknown client."), field="member_ids")
    return members


@transaction.atomic
def group_members_set(*, group: Group, member_ids: Iterable[int], actor: Actor) -> Group:
    _require_manager(actor)
    members = _members(group.organization, member_ids)
    if len(members) > group.capacity:
        raise DomainError(_("More members than the group's capacity."), field="member_ids")
    before = sorted(group.members.values_list("id", flat=True))
    group.members.set(members)
    audit_record(
        organization=group.organization,
        actor=actor,
        action="group.members",
        obj=group,
        changes=changes_between(
            {"member_ids": before}, {"member_ids": sorted(m.pk for m in members)}
        ),
    )
    return group
