"""A client books themself on the public page."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.clients import services as clients
from zapys.clients.phones import normalize_phone
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.stored_text import StoredText
from zapys.core.tenancy import organization_zone
from zapys.core.text import clean_line
from zapys.schedule import hooks
from zapys.schedule.models import OnlineBookingAttempt, Visit
from zapys.schedule.selectors import free_slots, online_rate_limited, schedule_settings_for
from zapys.schedule.services.visits import visit_create


def online_attempt_record(*, organization: Organization, ip: str | None, now: datetime) -> None:
    """Count an attempt (committed on its own so refused attempts count too)."""
    with transaction.atomic():
        OnlineBookingAttempt.objects.create(
            organization=organization, ip_address=ip, created_at=now
        )
        # Old rows are useless for a one-minute window; trim them as we go.
        OnlineBookingAttempt.objects.filter(created_at__lt=now - timedelta(hours=1)).delete()


class RateLimited(DomainError):
    status = 429


def not_performed_text(staff: User | None, service: Service) -> str:
    """The public page's refusal of a specialist who does not perform the service."""
    if staff is None:
        return _("This specialist cannot be booked for this service. Please choose another one.")
    return _("%(staff)s does not perform “%(service)s”. Please choose another specialist.") % {
        "staff": staff,
        "service": service.name,
    }


def online_booking_create(
    *,
    organization: Organization,
    service: Service,
    starts_at: datetime,
    phone: str,
    consent: bool,
    ip: str | None,
    name: str = "",
    first_name: str = "",
    last_name: str = "",
    staff: User | None = None,
    branch: Branch | None = None,
    now: datetime | None = None,
) -> Visit:
    """A client books themself from the public page. Refuses (nothing written) a spammer
    over the rate limit, an invalid phone, a missing consent, a time that is not a free
    slot in the specialist's working hours, a specialist who does not perform the service
    (`Service.specialists`). `staff=None` means "any specialist": the first of the
    service's specialists free at that time. The name comes in parts (`first_name`,
    `last_name`, as the public page asks) or as one line (`name`). The client's own mistakes (name, phone,
    consent) are refused together, each on its field, so one answer lists them all.
    After commit the prepayment hook may start a booking."""

    now = now or timezone.now()
    if online_rate_limited(organization=organization, ip=ip, now=now):
        raise RateLimited(
            _("Too many bookings from your network. Please wait a minute and try again.")
        )
    online_attempt_record(organization=organization, ip=ip, now=now)
    settings = schedule_settings_for(organization)
    if not settings.online_booking_enabled:
        raise DomainError(_("Online booking is switched off."))
    # Anyone can type here, so control characters go before anything is stored (see
    # `core.text`); the clients service cleans the name again when it creates the client.
    name_field = "name" if name else "first_name"  # the field the caller filled in
    name, first_name, last_name = (
        " ".join(clean_line(v).split()) for v in (name, first_name, last_name)
    )
    errors: list[dict[str, str]] = []
    if not (name or first_name):
        errors.append({"field": name_field, "message": _("Enter your name.")})
    elif len(name) > 200 or len(first_name) > 100 or len(last_name) > 100:
        errors.append(
            {"field": name_field, "message": pgettext("a person's name", "The name is too long.")}
        )
    e164 = ""
    if not phone.strip():
        errors.append({"field": "phone", "message": _("Enter your phone number.")})
    else:
        try:
            e164 = normalize_phone(phone)
        except DomainError as exc:
            errors.extend(exc.errors)
    if not consent:
        errors.append(
            {
                "field": "consent",
                "message": _("Please agree to the processing of your personal data."),
            }
        )
    if errors:
        raise DomainError(errors[0]["message"], errors=errors)
    if not service.online_booking or not service.is_active:
        raise DomainError(_("This service cannot be booked online."), field="service_id")
    if staff is not None and not service.performed_by(staff.pk):
        # The page offers only the service's specialists; an edited request names another.
        raise DomainError(not_performed_text(staff, service), field="staff_id")
    if starts_at < now:
        raise DomainError(_("This time has already passed."), field="starts_at")
    tz = organization_zone(organization)
    day = starts_at.astimezone(tz).date()
    slots = free_slots(
        organization=organization,
        service=service,
        date_from=day,
        date_to=day,
        staff_ids=[staff.pk] if staff else None,
        branch=branch,
        now=now,
        online=True,
    )
    candidates = [slot for slot in slots if slot.start == starts_at]
    if not candidates:
        raise DomainError(
            _("This time is no longer available. Please choose another slot."), field="starts_at"
        )
    slot = candidates[0]
    chosen = staff or User.objects.for_org(organization).get(pk=slot.staff_id)
    slot_branch = Branch.objects.for_org(organization).get(pk=slot.branch_id)
    actor = Actor.client_link(f"online booking {e164}")
    with transaction.atomic():
        client, _created = clients.client_find_or_create(
            organization=organization,
            name=name,
            first_name=first_name,
            last_name=last_name,
            phone=e164,
            actor=actor,
        )
        visit = visit_create(
            organization=organization,
            client=client,
            staff=chosen,
            service=service,
            starts_at=starts_at,
            branch=slot_branch,
            actor=actor,
            source=Visit.Source.ONLINE,
            allow_past=False,
            now=now,
        )
        visit_id = visit.pk
        transaction.on_commit(lambda: hooks.run_after_online_visit_created(visit_id))
    return visit


#: "5 December" / «5 грудня»: a stored text keeps words, not dates, so the month is a text of
#: its own and each reader's catalogue gives it (Ukrainian puts it in the genitive).
DAY_OF_MONTH = (
    gettext_noop("%(day)s January"),
    gettext_noop("%(day)s February"),
    gettext_noop("%(day)s March"),
    gettext_noop("%(day)s April"),
    gettext_noop("%(day)s May"),
    gettext_noop("%(day)s June"),
    gettext_noop("%(day)s July"),
    gettext_noop("%(day)s August"),
    gettext_noop("%(day)s September"),
    gettext_noop("%(day)s October"),
    gettext_noop("%(day)s November"),
    gettext_noop("%(day)s December"),
)


def online_booking_notice(visit: Visit) -> tuple[StoredText, StoredText]:
    """What the staff are told when a client books themself online (title, body): who, what,
    when in words and with whom, each reader in their own language. Sent by messaging after
    the booking commits (`messaging/schedule_hooks.py`), with a link to the visit."""
    local = visit.starts_at.astimezone(organization_zone(visit.organization))
    client = visit.client.name if visit.client is not None else ""
    title = StoredText(gettext_noop("New online booking: %(client)s"), client=client)
    body = StoredText(
        gettext_noop("%(service)s on %(date)s at %(time)s. Specialist: %(specialist)s."),
        service=visit.title,
        date=StoredText(DAY_OF_MONTH[local.month - 1], day=local.day),
        time=local.strftime("%H:%M"),
        specialist=str(visit.staff),
    )
    return title, body
