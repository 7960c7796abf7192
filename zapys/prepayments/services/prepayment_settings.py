"""The organization's prepayment settings, its cancellation status and each branch's
payment type for prepayments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record, changes_between
from zapys.core.exceptions import DomainError, NotFound, PermissionDenied
from zapys.prepayments.models import BranchFinance, PrepaymentSettings
from zapys.schedule.models import VisitStatus
from zapys.schedule.services import visit_status_create, visit_statuses_ensure
from zapys.schedule.services.statuses import ON_REQUEST_STATUS_NAMES

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization

MAX_LINK_HOURS = 24 * 30
#: Auto-cancel at most a week after the link expired.
MAX_CANCEL_DELAY_MINUTES = 7 * 24 * 60
CHANNELS = ("", "sms", "email", "telegram", "viber")


def prepayment_settings_get(organization: Organization) -> PrepaymentSettings:
    """The organization's settings row (created with defaults on first use)."""
    found = PrepaymentSettings.objects.for_org(organization).first()
    if found is not None:
        return found
    obj, _created = PrepaymentSettings.objects.for_org(organization).get_or_create(
        organization=organization
    )
    return obj


SETTINGS_FIELDS = {
    f.name
    for f in PrepaymentSettings._meta.concrete_fields
    if f.name not in ("id", "organization", "updated_at")
}
#: The settings that reference another object: it must be the organization's own.
FK_SETTINGS = frozenset(
    {
        "payment_account",
        "cancel_status",
        "status_after_payment",
        "status_after_create",
        "income_article",
        "topup_branch",
        "cancellation_policy",
    }
)
#: The payment deadline at most this long before the visit (V3): a day.
MAX_RELEASE_MINUTES = 24 * 60


def _check_settings(organization: Organization, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if (
            name in FK_SETTINGS
            and value is not None
            and getattr(value, "organization_id", None) != organization.pk
        ):
            raise NotFound(_("Unknown object."), field=f"{name}_id")
    hours = fields.get("link_lifetime_hours")
    if hours is not None and not 1 <= int(hours) <= MAX_LINK_HOURS:
        raise DomainError(
            _("The link lifetime must be between 1 and %(max)s hours.") % {"max": MAX_LINK_HOURS},
            field="link_lifetime_hours",
        )
    minutes = fields.get("auto_cancel_after_minutes")
    if minutes is not None and not 0 <= int(minutes) <= MAX_CANCEL_DELAY_MINUTES:
        raise DomainError(
            _("The delay must be between 0 and 10080 minutes."), field="auto_cancel_after_minutes"
        )
    # Unbounded, 2147483647 hours was stored and then every booking failed: the reminder time
    # (the link's expiry minus these hours) left the range of a datetime.
    reminder = fields.get("reminder_hours_before")
    if reminder is not None and not 1 <= int(reminder) <= MAX_LINK_HOURS:
        raise DomainError(
            _("The reminder must be between 1 and %(max)s hours before.") % {"max": MAX_LINK_HOURS},
            field="reminder_hours_before",
        )
    release = fields.get("release_before_start_minutes")
    if release is not None and not 0 <= int(release) <= MAX_RELEASE_MINUTES:
        raise DomainError(
            _("Enter between 0 and %(max)s minutes.") % {"max": MAX_RELEASE_MINUTES},
            field="release_before_start_minutes",
        )
    status = fields.get("cancel_status")
    if status is not None and not status.is_cancellation:
        raise DomainError(_("Choose a cancellation status."), field="cancel_status_id")
    account = fields.get("payment_account")
    if account is not None and not account.is_active:
        raise DomainError(_("This payment account is switched off."), field="payment_account_id")
    if fields.get("default_channel") not in (None, *CHANNELS):
        raise DomainError(_("Unknown channel."), field="default_channel")
    if fields.get("page_theme") not in (None, *PrepaymentSettings.Theme.values):
        raise DomainError(_("Unknown theme."), field="page_theme")
    if fields.get("page_language") not in (None, "uk", "en"):
        raise DomainError(_("Unknown language."), field="page_language")
    if fields.get("enabled"):
        account = fields.get("payment_account", "unset")
        if account is None:
            raise DomainError(
                _("Choose the payment account before enabling prepayment."),
                field="payment_account_id",
            )


@transaction.atomic
def prepayment_settings_update(
    *, organization: Organization, actor: Actor, **fields: Any
) -> PrepaymentSettings:
    """Change any of the settings (one audit row with what changed)."""
    if actor.user is not None and not actor.user.can_manage_settings():
        raise PermissionDenied(_("Only the owner can change the prepayment settings."))
    unknown = set(fields) - SETTINGS_FIELDS
    if unknown:
        raise DomainError(f"Unknown settings: {', '.join(sorted(unknown))}")
    obj = prepayment_settings_get(organization)
    merged_account = fields.get("payment_account", obj.payment_account)
    _check_settings(
        organization,
        {**fields, "payment_account": merged_account} if fields.get("enabled") else fields,
    )
    before = {k: getattr(obj, k) for k in fields}
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="prepayment_settings.update",
        obj=obj,
        changes=changes_between(
            {k: str(v) for k, v in before.items()}, {k: str(v) for k, v in fields.items()}
        ),
    )
    return obj


@transaction.atomic
def cancel_status_create(*, organization: Organization, actor: Actor) -> VisitStatus:
    """The dedicated system status for unpaid cancellations (administrators cannot set it
    by hand), created once and chosen in the settings."""

    statuses = visit_statuses_ensure(organization=organization)
    status = statuses.get("prepayment_unpaid")
    if status is None:
        # Stored in the organization's language, whoever clicked; pages show it in theirs.
        with translation.override(organization.language or "uk"):
            name = _(ON_REQUEST_STATUS_NAMES["prepayment_unpaid"])
        status = visit_status_create(
            organization=organization,
            name=name,
            actor=Actor.system("prepayments"),
            color="#b02a37",
            order=65,
            is_cancellation=True,
            hidden_in_calendar=True,
            is_system=True,
            code="prepayment_unpaid",
        )
    assert isinstance(status, VisitStatus)
    settings = prepayment_settings_get(organization)
    PrepaymentSettings.objects.for_org(organization).filter(pk=settings.pk).update(
        cancel_status=status
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="prepayment_settings.cancel_status_create",
        obj=settings,
        changes={"cancel_status_id": [settings.cancel_status_id, status.pk]},
    )
    return status


def cancel_status_for(organization: Organization, settings: PrepaymentSettings) -> VisitStatus:
    """The configured cancellation status, else the schedule's system "cancelled_unpaid".
    Not a selector: the schedule creates its system statuses on first use."""
    if settings.cancel_status_id:
        assert settings.cancel_status is not None
        return settings.cancel_status

    statuses = visit_statuses_ensure(organization=organization)
    return statuses.get("cancelled_unpaid") or next(
        s for s in statuses.values() if s.is_cancellation
    )


@transaction.atomic
def branch_finance_set(
    *,
    organization: Organization,
    branch: Branch,
    actor: Actor,
    payment_type: Any = None,
    fiscal_register: str = "",
) -> BranchFinance:
    """Payment type and fiscal register (stored only) used for prepayments in a branch."""
    if branch.organization_id != organization.pk:
        raise NotFound(_("Unknown branch."), field="branch_id")
    if payment_type is not None and payment_type.branch_id != branch.pk:
        raise DomainError(
            _("This payment type belongs to another branch."), field="payment_type_id"
        )
    obj, _created = BranchFinance.objects.for_org(organization).get_or_create(
        organization=organization, branch=branch
    )
    before = {"payment_type": obj.payment_type_id, "fiscal_register": obj.fiscal_register}
    obj.payment_type = payment_type
    obj.fiscal_register = fiscal_register.strip()[:100]
    obj.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="prepayment_branch_finance.set",
        obj=obj,
        changes=changes_between(
            before, {"payment_type": obj.payment_type_id, "fiscal_register": obj.fiscal_register}
        ),
    )
    return obj
