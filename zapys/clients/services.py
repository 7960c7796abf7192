"""Writes for clients, tags and freezes (C1–C4). One call = one transaction + audit row(s).

Validation happens before anything is written, so a DomainError leaves the database as
it was; the API and the views turn it into a field-level error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.clients import hooks
from zapys.clients.models import Client, ClientFreeze, Tag
from zapys.clients.names import display_name, split_name
from zapys.clients.phones import normalize_phone
from zapys.clients.selectors import org_today
from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import Conflict, DomainError, PermissionDenied
from zapys.core.text import clean_line, strip_control
from zapys.core.tokens import new_public_token

TAG_PALETTE = [
    "#0d6efd",
    "#6610f2",
    "#d63384",
    "#dc3545",
    "#fd7e14",
    "#198754",
    "#20c997",
    "#0dcaf0",
]
NAME_PARTS = ("last_name", "first_name", "middle_name")
EDITABLE_FIELDS = (
    "name",
    *NAME_PARTS,
    "first_name_vocative",
    "phone",
    "email",
    "birthday",
    "note",
    "client_type",
    "status",
)
MANAGER_ROLES = ("owner", "administrator")
_UNSET: Any = object()


def _require_manager(actor: Actor, what: str) -> None:
    """Deleting, restoring and importing clients is for owners and administrators (P2)."""
    user = actor.user
    if user is not None and getattr(user, "role", None) not in MANAGER_ROLES:
        raise PermissionDenied(
            _("Only an owner or an administrator can %(what)s.") % {"what": what}
        )


# --- Tags ---------------------------------------------------------------------------------


def _clean_tag_names(names: Iterable[str], *, field: str = "tags") -> list[str]:
    """Stripped names, duplicates (case-insensitive) dropped; a blank name is an error."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = _one_line(raw)
        if not name:
            raise DomainError(_("Tag names cannot be blank."), field=field)
        if len(name) > 64:
            raise DomainError(_("A tag name can be at most 64 characters long."), field=field)
        if name.lower() not in seen:
            seen.add(name.lower())
            cleaned.append(name)
    return cleaned


def _tag_color(name: str) -> str:
    digest = hashlib.sha256(name.lower().encode()).digest()
    return TAG_PALETTE[digest[0] % len(TAG_PALETTE)]


def _tags_resolve(*, organization: Organization, names: Sequence[str], actor: Actor) -> list[Tag]:
    """Existing tags by name (case-insensitive), new ones created on the fly."""
    if not names:
        return []
    existing = {t.name.lower(): t for t in Tag.objects.for_org(organization)}
    tags = []
    for name in names:
        tag = existing.get(name.lower())
        if tag is None:
            tag = Tag.objects.create(organization=organization, name=name, color=_tag_color(name))
            audit_record(organization=organization, actor=actor, action="tag.create", obj=tag)
            existing[name.lower()] = tag
        tags.append(tag)
    return tags


@transaction.atomic
def tag_create(
    *,
    organization: Organization,
    name: str,
    actor: Actor,
    color: str = "",
    clients: Sequence[Client] = (),
) -> Tag:
    """A new tag, or the existing one with that name (names are unique, case-insensitive);
    `clients` are tagged with it in the same transaction."""
    clean = _clean_tag_names([name], field="name")[0]
    if color and (len(color) != 7 or not color.startswith("#")):
        raise DomainError(_("Enter a colour like #1a2b3c."), field="color")
    tag = Tag.objects.for_org(organization).filter(name__iexact=clean).first()
    if tag is None:
        tag = Tag.objects.create(
            organization=organization, name=clean, color=color or _tag_color(clean)
        )
        audit_record(organization=organization, actor=actor, action="tag.create", obj=tag)
    _attach_tags(organization=organization, clients=clients, tags=[tag], actor=actor)
    return tag


@transaction.atomic
def clients_tag(
    *, organization: Organization, clients: Sequence[Client], tag_names: Sequence[str], actor: Actor
) -> int:
    """Add tags to many clients at once (bulk action on the list); returns clients changed."""
    names = _clean_tag_names(tag_names)
    if not names:
        raise DomainError(_("Enter a tag."), field="tags")
    if not clients:
        raise DomainError(_("Select at least one client."), field="clients")
    tags = _tags_resolve(organization=organization, names=names, actor=actor)
    return _attach_tags(organization=organization, clients=clients, tags=tags, actor=actor)


def _attach_tags(
    *, organization: Organization, clients: Sequence[Client], tags: Sequence[Tag], actor: Actor
) -> int:
    """Link tags to clients that lack them. One audit row per changed client, so each
    card's history shows the change."""
    if not clients or not tags:
        return 0
    through = Client.tags.through
    ids = [c.pk for c in clients]
    have = set(
        through.objects.filter(client_id__in=ids, tag_id__in=[t.pk for t in tags]).values_list(
            "client_id", "tag_id"
        )
    )
    rows = [
        through(client_id=c.pk, tag_id=t.pk)
        for c in clients
        for t in tags
        if (c.pk, t.pk) not in have
    ]
    through.objects.bulk_create(rows)
    changed = {row.client_id for row in rows}
    for client in clients:
        if client.pk in changed:
            added = [t.name for t in tags if (client.pk, t.pk) not in have]
            audit_record(
                organization=organization,
                actor=actor,
                action="client.tag",
                obj=client,
                changes={"tags_added": added},
            )
    return len(changed)


# --- Clients ------------------------------------------------------------------------------


def _clean_fields(
    fields: dict[str, Any],
    *,
    tags: Iterable[str] | None = None,
    current: Client | None = None,
) -> dict[str, Any]:
    """Validate and normalize the editable fields present in `fields` (and the tag names,
    when given, as "tags"). Every invalid field is reported at once: one DomainError whose
    `errors` name each field, so a form shows all its mistakes, not only the first."""
    out: dict[str, Any] = {}
    errors: list[dict[str, str]] = []

    def check(field: str, clean: Any) -> None:
        try:
            out[field] = clean()
        except DomainError as exc:
            errors.extend(exc.errors or [{"field": field, "message": exc.detail}])

    if "name" in fields or any(part in fields for part in NAME_PARTS):
        try:
            out.update(_clean_names(fields, current))
        except DomainError as exc:
            errors.extend(exc.errors or [{"field": "name", "message": exc.detail}])
    if "first_name_vocative" in fields:
        check("first_name_vocative", lambda: _clean_vocative(fields["first_name_vocative"]))
    if "phone" in fields:
        check("phone", lambda: normalize_phone(str(fields["phone"] or "")))
    if "email" in fields:
        check("email", lambda: _clean_email(fields["email"]))
    if "birthday" in fields:
        check("birthday", lambda: _clean_birthday(fields["birthday"]))
    if "note" in fields:
        out["note"] = strip_control(str(fields["note"] or "")).strip()
    if "client_type" in fields:
        check("client_type", lambda: _clean_choice(fields["client_type"], "client_type"))
    if "status" in fields:
        check("status", lambda: _clean_choice(fields["status"], "status"))
    if tags is not None:
        check("tags", lambda: _clean_tag_names(tags))
    if errors:
        detail = " ".join(dict.fromkeys(e["message"] for e in errors))
        raise DomainError(detail, errors=errors)
    return _vocative_kept(out, current)


def client_validate(fields: dict[str, Any], *, tags: Iterable[str] | None = None) -> dict[str, Any]:
    """Check client fields without writing anything (the same rules as create/update);
    a DomainError lists every invalid field. Forms use it to report the service's errors
    together with their own."""
    return _clean_fields({k: v for k, v in fields.items() if k in EDITABLE_FIELDS}, tags=tags)


def _one_line(value: Any) -> str:
    """A name, tag or reason as one line: control characters removed (see `core.text`: they
    break PostgreSQL and XLSX exports), whitespace runs collapsed to one space."""
    return " ".join(clean_line(str(value or "")).split())


def _clean_name(value: Any) -> str:
    name = _one_line(value)
    if not name:
        raise DomainError(_("Enter the client's name."), field="name")
    if len(name) > 200:
        raise DomainError(_("The name can be at most 200 characters long."), field="name")
    return name


def _clean_part(value: Any, field: str) -> str:
    part = _one_line(value)
    if len(part) > 100:
        raise DomainError(_("A part of the name can be at most 100 characters long."), field=field)
    return part


def _clean_names(fields: dict[str, Any], current: Client | None) -> dict[str, str]:
    """`name` and its parts, kept together: given parts make the display name ("Last First
    Middle"); a name given as one line (the API's `name`, an import) is split into parts
    (`clients.names.split_name`). A legal entity has only the name."""
    client_type = fields.get("client_type") or (current.client_type if current else "")
    given_parts = {k: fields[k] for k in NAME_PARTS if k in fields}
    if client_type == Client.Type.LEGAL_ENTITY or (
        "name" in fields and not any(str(v or "").strip() for v in given_parts.values())
    ):
        name = _one_line(fields.get("name", current.name if current else ""))
        if not name and client_type != Client.Type.LEGAL_ENTITY and given_parts:
            # A person's name is its parts: the form shows the error at the first name.
            raise DomainError(_("Enter the client's first or last name."), field="first_name")
        name = _clean_name(name)
        if client_type == Client.Type.LEGAL_ENTITY:
            return {"name": name, "last_name": "", "first_name": "", "middle_name": ""}
        # A part is at most 100 characters (a 200-character word stays whole in `name`).
        return {"name": name, **{k: v[:100] for k, v in split_name(name)._asdict().items()}}
    parts = {k: getattr(current, k) if current else "" for k in NAME_PARTS}
    parts.update({k: _clean_part(v, k) for k, v in given_parts.items()})
    if not parts["first_name"] and not parts["last_name"]:
        raise DomainError(_("Enter the client's first or last name."), field="first_name")
    name = display_name(parts["last_name"], parts["first_name"], parts["middle_name"])
    if len(name) > 200:
        raise DomainError(_("The name can be at most 200 characters long."), field="last_name")
    return {"name": name, **parts}


def _clean_vocative(value: Any) -> str:
    form = _one_line(value)
    if len(form) > 100:
        raise DomainError(
            _("The form of address can be at most 100 characters long."),
            field="first_name_vocative",
        )
    return form


def _vocative_kept(data: dict[str, Any], current: Client | None) -> dict[str, Any]:
    """The staff-written form of address follows the name it was written for: a company
    has none, and a new first name drops the old form unless a new one is written with it
    (the form posts the old form back unchanged; the API leaves it out)."""
    client_type = data.get("client_type") or (current.client_type if current else "")
    if client_type == Client.Type.LEGAL_ENTITY:
        return {**data, "first_name_vocative": ""}
    if current is None or not current.first_name_vocative:
        return data
    renamed = data.get("first_name", current.first_name) != current.first_name
    kept = data.get("first_name_vocative", current.first_name_vocative)
    if renamed and kept == current.first_name_vocative:
        return {**data, "first_name_vocative": ""}
    return data


def _clean_email(value: Any) -> str:
    email = str(value or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), field="email") from None
    return email


def _clean_birthday(birthday: Any) -> date | None:
    if birthday is not None and not isinstance(birthday, date):
        raise DomainError(_("Enter a valid date."), field="birthday")
    if birthday is not None and (birthday > timezone.localdate() or birthday.year < 1900):
        raise DomainError(_("The birthday cannot be in the future."), field="birthday")
    return birthday


def _clean_choice(value: Any, field: str) -> str:
    if field == "client_type" and value not in Client.Type.values:
        raise DomainError(_("Choose individual or legal entity."), field="client_type")
    if field == "status" and value not in Client.Status.values:
        raise DomainError(_("Choose active, inactive or lead."), field="status")
    return str(value)


@transaction.atomic
def client_create(
    *,
    organization: Organization,
    actor: Actor,
    name: str = "",
    last_name: str = "",
    first_name: str = "",
    middle_name: str = "",
    first_name_vocative: str = "",
    phone: str = "",
    email: str = "",
    birthday: date | None = None,
    note: str = "",
    client_type: str = Client.Type.INDIVIDUAL,
    status: str = Client.Status.ACTIVE,
    tags: Sequence[str] = (),
    tag_objects: Sequence[Tag] = (),
) -> Client:
    """Create a client. A phone that another client has is allowed (see `client_warnings`).
    The name comes in parts (`last_name`, `first_name`, `middle_name`) or as one line."""
    parts = {"last_name": last_name, "first_name": first_name, "middle_name": middle_name}
    data = _clean_fields(
        {
            "name": name,
            **{k: v for k, v in parts.items() if v},
            "first_name_vocative": first_name_vocative,
            "phone": phone,
            "email": email,
            "birthday": birthday,
            "note": note,
            "client_type": client_type,
            "status": status,
        },
        tags=tags,
    )
    names = data.pop("tags")
    client = Client(organization=organization, **data)
    client.search_text = client.build_search_text()
    client.save(force_insert=True)
    tag_rows = _tags_resolve(organization=organization, names=names, actor=actor)
    tag_rows += [t for t in tag_objects if t not in tag_rows]
    if tag_rows:
        client.tags.set(tag_rows)
    audit_record(
        organization=organization,
        actor=actor,
        action="client.create",
        obj=client,
        changes={**changes_between({}, data), "tags": [[], sorted(t.name for t in tag_rows)]},
    )
    return client


@transaction.atomic
def client_cabinet_link_regenerate(*, client: Client, actor: Actor) -> Client:
    """A new cabinet link for the client (K1): the old one stops working at once (its page
    is the 404 page). The audit row records that it changed, never the tokens themselves."""
    locked = Client.objects.for_org(client.organization).select_for_update().get(pk=client.pk)
    locked.cabinet_token = new_public_token()
    locked.save(update_fields=["cabinet_token", "updated_at"])
    client.cabinet_token = locked.cabinet_token
    audit_record(
        organization=client.organization, actor=actor, action="client.cabinet_link", obj=client
    )
    return client


@transaction.atomic
def client_find_or_create(
    *,
    organization: Organization,
    phone: str,
    actor: Actor,
    name: str = "",
    first_name: str = "",
    last_name: str = "",
) -> tuple[Client, bool]:
    """The oldest living client with this E.164 phone, else a new one (an online booking,
    a quick visit for a new phone). Returns (client, created)."""
    existing = (
        Client.objects.for_org(organization)
        .filter(phone=phone, deleted_at__isnull=True)
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing, False
    client = client_create(
        organization=organization,
        name=name,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        actor=actor,
    )
    return client, True


@transaction.atomic
def client_update(
    *, client: Client, actor: Actor, tags: Sequence[str] | None = None, **fields: Any
) -> Client:
    """Partial update: only the given fields change; `tags` (names) replaces the tag set."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if client.deleted_at is not None:
        raise Conflict(_("The client is deleted: restore them first."))
    data = _clean_fields(fields, tags=tags, current=client)
    names = data.pop("tags", None)
    # Read "before" from the database: a form may already have changed the instance.
    before = Client.objects.filter(pk=client.pk).values(*EDITABLE_FIELDS).get()
    for key, value in data.items():
        setattr(client, key, value)
    client.search_text = client.build_search_text()
    client.save(update_fields=[*data, "search_text", "updated_at"])
    changes = changes_between({k: before[k] for k in data}, data)
    if names is not None:
        old = sorted(client.tags.values_list("name", flat=True))
        rows = _tags_resolve(organization=client.organization, names=names, actor=actor)
        client.tags.set(rows)
        new = sorted(t.name for t in rows)
        if old != new:
            changes["tags"] = [old, new]
    audit_record(
        organization=client.organization,
        actor=actor,
        action="client.update",
        obj=client,
        changes=changes,
    )
    return client


@transaction.atomic
def client_delete(*, client: Client, actor: Actor) -> Client:
    """Soft delete (C4): the client leaves lists, search and the API; all data stays."""
    _require_manager(actor, _("delete clients"))
    if client.deleted_at is None:
        client.deleted_at = timezone.now()
        client.save(update_fields=["deleted_at", "updated_at"])
        audit_record(
            organization=client.organization, actor=actor, action="client.delete", obj=client
        )
    return client


@transaction.atomic
def client_restore(*, client: Client, actor: Actor) -> Client:
    _require_manager(actor, _("restore clients"))
    if client.deleted_at is None:
        raise Conflict(_("The client is not deleted."))
    deleted_at = client.deleted_at
    client.deleted_at = None
    client.save(update_fields=["deleted_at", "updated_at"])
    audit_record(
        organization=client.organization,
        actor=actor,
        action="client.restore",
        obj=client,
        changes={"deleted_at": [deleted_at.isoformat(), None]},
    )
    return client


# --- Freeze -------------------------------------------------------------------------------


@transaction.atomic
def client_freeze(
    *,
    client: Client,
    date_from: date,
    date_to: date,
    actor: Actor,
    reason: str = "",
) -> ClientFreeze:
    """Freeze a client for [date_from, date_to] and extend their memberships by those days (C3)."""
    if client.deleted_at is not None:
        raise Conflict(_("The client is deleted: restore them first."))
    if date_from is None:
        raise DomainError(_("Enter the first day of the freeze."), field="date_from")
    if date_to is None:
        raise DomainError(_("Enter the last day of the freeze."), field="date_to")
    if date_to < date_from:
        raise DomainError(_("The freeze cannot end before it starts."), field="date_to")
    reason = _one_line(reason)[:200]
    overlapping = (
        ClientFreeze.objects.filter(client=client, date_from__lte=date_to, date_to__gte=date_from)
        # An early end on day E frees E onwards; ending on the first day cancels the freeze.
        .exclude(ended_early_at__isnull=False, ended_early_at__lte=date_from)
        .exclude(ended_early_at__isnull=False, ended_early_at__lte=F("date_from"))
        .exists()
    )
    if overlapping:
        raise Conflict(_("These dates overlap another freeze of this client."), field="date_from")
    freeze = ClientFreeze.objects.create(
        organization=client.organization,
        client=client,
        date_from=date_from,
        date_to=date_to,
        reason=reason,
    )
    shifted = hooks.client_frozen(
        client=client,
        freeze=freeze,
        actor=actor,
        reason=_("Freeze: %(reason)s") % {"reason": reason} if reason else _("Freeze"),
    )
    audit_record(
        organization=client.organization,
        actor=actor,
        action="client.freeze",
        obj=client,
        changes={
            "freeze_id": freeze.pk,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "days": freeze.days,
            "reason": reason,
            "memberships_extended": shifted,
        },
    )
    return freeze


@transaction.atomic
def client_unfreeze(*, client: Client, actor: Actor, on_date: date | None = None) -> ClientFreeze:
    """End the current freeze early — the client is back on `on_date` (default today) — or
    cancel an upcoming one entirely. Memberships give back the days no longer frozen.
    409 when there is no current or upcoming freeze (also when it was just ended)."""
    today = on_date or org_today(client.organization)
    freeze = (
        ClientFreeze.objects.not_over(today)
        .select_for_update()
        .filter(client=client)
        .order_by("date_from", "id")
        .first()
    )
    if freeze is None:
        raise Conflict(_("The client is not frozen."))
    frozen_before = freeze.frozen_days
    # Ended on day D: frozen until D − 1. A planned freeze ended before its first day (or
    # on it) is cancelled: `ended_early_at` <= `date_from`, no day frozen.
    freeze.ended_early_at = today
    freeze.save(update_fields=["ended_early_at"])
    cancelled = freeze.is_cancelled
    shifted = hooks.client_unfrozen(
        client=client,
        freeze=freeze,
        actor=actor,
        reason=_("Freeze cancelled") if cancelled else _("Freeze ended early"),
    )
    audit_record(
        organization=client.organization,
        actor=actor,
        action="client.unfreeze",
        obj=client,
        changes={
            "freeze_id": freeze.pk,
            "ended_early_at": today.isoformat(),
            "cancelled": cancelled,
            "days_returned": frozen_before - freeze.frozen_days,
            "memberships_shortened": shifted,
        },
    )
    return freeze
