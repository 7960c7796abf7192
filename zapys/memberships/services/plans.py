"""Writes of membership plans (C6): create, update, archive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError
from zapys.core.text import clean_line, strip_control
from zapys.ledger import services as ledger
from zapys.memberships.models import MembershipPlan

if TYPE_CHECKING:
    from zapys.accounts.models import Organization


PLAN_FIELDS = (
    "name",
    "description",
    "price",
    "validity_value",
    "validity_unit",
    "visits",
    "covers_everything",
    "kind",
    "separate_account",
)


def _clean_plan_text(fields: dict[str, Any]) -> None:
    """The name is one line, the description may have several; control characters go from
    both (see `core.text`: they break PostgreSQL and XLSX exports). A membership copies the
    plan's name, and the name is the comment of its ledger entries."""
    if isinstance(fields.get("name"), str):
        fields["name"] = clean_line(fields["name"])[:200]
    if isinstance(fields.get("description"), str):
        fields["description"] = strip_control(fields["description"])


def _validate_plan(fields: dict[str, Any]) -> None:
    name = fields.get("name", "")
    if "name" in fields and not (isinstance(name, str) and name.strip()):
        raise DomainError(_("Enter the plan's name."), field="name")
    if "price" in fields:
        price = fields["price"]
        if isinstance(price, bool) or not isinstance(price, int) or price < 0:
            raise DomainError(_("The price must be whole, non-negative kopecks."), field="price")
        if price > ledger.MAX_AMOUNT:
            raise DomainError(_("The price is too large."), field="price")
    if "validity_value" in fields:
        v = fields["validity_value"]
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise DomainError(
                _("The validity must be a positive whole number."), field="validity_value"
            )
    if (
        "validity_unit" in fields
        and fields["validity_unit"] not in MembershipPlan.ValidityUnit.values
    ):
        raise DomainError(_("The validity unit is days or months."), field="validity_unit")
    if "visits" in fields and fields["visits"] is not None:
        v = fields["visits"]
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise DomainError(
                _("Visits must be a positive whole number, or empty for unlimited."), field="visits"
            )
    if "kind" in fields and fields["kind"] not in MembershipPlan.Kind.values:
        raise DomainError(_("The kind is permanent or one_off."), field="kind")


def _set_coverage(
    plan: MembershipPlan,
    organization: Organization,
    services: list[Any] | None,
    groups: list[Any] | None,
    subjects: list[Any] | None,
) -> None:
    for name, objs in (("services", services), ("groups", groups), ("subjects", subjects)):
        if objs is None:
            continue
        for obj in objs:
            if obj.organization_id != organization.pk:
                raise DomainError(_("An object of another organization was given."), field=name)
        getattr(plan, name).set(objs)


@transaction.atomic
def membership_plan_create(
    *,
    organization: Organization,
    name: str,
    price: int,
    actor: Actor,
    validity_value: int = 1,
    validity_unit: str = MembershipPlan.ValidityUnit.MONTHS,
    visits: int | None = None,
    covers_everything: bool = True,
    services: list[Any] | None = None,
    groups: list[Any] | None = None,
    subjects: list[Any] | None = None,
    kind: str = MembershipPlan.Kind.PERMANENT,
    separate_account: bool = False,
    description: str = "",
) -> MembershipPlan:
    fields: dict[str, Any] = {
        "name": name,
        "price": price,
        "validity_value": validity_value,
        "validity_unit": validity_unit,
        "visits": visits,
        "covers_everything": covers_everything,
        "kind": kind,
        "separate_account": separate_account,
        "description": description,
    }
    _clean_plan_text(fields)
    _validate_plan(fields)
    plan = MembershipPlan.objects.for_org(organization).create(organization=organization, **fields)
    _set_coverage(plan, organization, services, groups, subjects)
    audit_record(organization=organization, actor=actor, action="membership_plan.create", obj=plan)
    return plan


@transaction.atomic
def membership_plan_update(
    *,
    plan: MembershipPlan,
    actor: Actor,
    services: list[Any] | None = None,
    groups: list[Any] | None = None,
    subjects: list[Any] | None = None,
    **fields: Any,
) -> MembershipPlan:
    """Change a plan. Memberships already sold keep their own copy of price and dates."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    _clean_plan_text(fields)
    _validate_plan(fields)
    before = MembershipPlan.objects.filter(pk=plan.pk).values(*fields).get() if fields else {}
    for key, value in fields.items():
        setattr(plan, key, value)
    if fields:
        plan.save(update_fields=list(fields))
    _set_coverage(plan, plan.organization, services, groups, subjects)
    audit_record(
        organization=plan.organization,
        actor=actor,
        action="membership_plan.update",
        obj=plan,
        changes=changes_between(before, fields),
    )
    return plan


@transaction.atomic
def membership_plan_archive(
    *, plan: MembershipPlan, actor: Actor, archived: bool = True
) -> MembershipPlan:
    """Archived plans cannot be sold; memberships already sold stay valid."""
    if plan.is_archived != archived:
        plan.is_archived = archived
        plan.save(update_fields=["is_archived"])
        audit_record(
            organization=plan.organization,
            actor=actor,
            action="membership_plan.archive" if archived else "membership_plan.restore",
            obj=plan,
            changes={"is_archived": [not archived, archived]},
        )
    return plan
