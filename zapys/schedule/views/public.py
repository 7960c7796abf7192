"""The public self-booking page and its confirmation (no login; the organization comes from
the address, and its time zone is the one every time on the page is read in)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core import signing
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, Organization, User
from zapys.catalog.models import Service
from zapys.core.collation import ukrainian_sort_key
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import client_ip
from zapys.core.tenancy import org_scope, organization_zone, unscoped
from zapys.schedule import hooks, selectors, services
from zapys.schedule.forms import (
    OnlineBookingForm,
    parse_public_id,
    parse_slot,
)
from zapys.schedule.models import Visit
from zapys.schedule.services import online
from zapys.schedule.views.common import (
    parse_date,
)


def book(request: HttpRequest, org_slug: str, branch_id: int | None = None) -> HttpResponse:
    """Public booking: service → specialist (or any) → day → free slot → name/phone."""
    with unscoped():
        org = Organization.objects.filter(slug=org_slug).first()
    if org is None:
        raise Http404
    # Times on the page (slots, the chosen one) read in the organization's zone, whatever
    # the server's: templates render datetimes in the current time zone.
    with org_scope(org), timezone.override(organization_zone(org)):
        return _book(request, org, branch_id)


def _book(request: HttpRequest, org: Organization, branch_id: int | None) -> HttpResponse:
    settings = selectors.schedule_settings_for(org)
    tz = organization_zone(org)
    now = timezone.now()
    branch = None
    if branch_id is not None:
        # The URL's <int:...> takes any number of digits; past bigint the lookup itself fails.
        if parse_public_id(str(branch_id)) is None:
            raise Http404
        branch = get_object_or_404(Branch.objects.for_org(org), pk=branch_id, is_active=True)
    base_url = (
        reverse("schedule:book_branch", args=[org.slug, branch.pk])
        if branch
        else reverse("schedule:book", args=[org.slug])
    )
    ctx: dict[str, Any] = {
        "organization": org,
        "branch": branch,
        "base_url": base_url,
        "enabled": settings.online_booking_enabled,
    }
    # The branch comes first where there are several: "any specialist" must not book the
    # client into another branch, and its address is shown at every step (issue 17).
    branches = list(Branch.objects.for_org(org).filter(is_active=True).order_by("pk"))
    ctx["many_branches"] = len(branches) > 1
    ctx["place"] = branch or (branches[0] if len(branches) == 1 else None)
    if branch is None and len(branches) > 1:
        ctx["branches"] = branches
        return render(request, "schedule/public/book.html", ctx)
    services_qs = Service.objects.for_org(org).filter(is_active=True, online_booking=True)
    if branch is not None:
        # A branch's page lists what someone there performs: the barber's services are not
        # offered in a branch where the barber never works (none listed: anyone's).
        services_qs = (
            services_qs.filter(branches=branch)
            .filter(
                Q(specialists__isnull=True)
                | Q(specialists__branches=branch, specialists__is_active=True)
            )
            .distinct()
        )
    # Who performs each service comes with the list: the slot search and the check of a
    # chosen specialist read it from here (a fixed number of queries per step).
    ctx["services"] = list(services_qs.prefetch_related("branches", "specialists"))
    service_id = parse_public_id(request.GET.get("service"))
    service = next((s for s in ctx["services"] if s.pk == service_id), None)
    ctx["service"] = service
    if service is None or not settings.online_booking_enabled:
        return render(request, "schedule/public/book.html", ctx)
    today = now.astimezone(tz).date()
    day = parse_date(request.GET.get("date"), today)
    day = min(max(day, today), today + timedelta(days=settings.online_days_ahead))
    staff_param = request.GET.get("staff", "")
    staff_id = parse_public_id(staff_param)
    staff_ids = [staff_id] if staff_id is not None else None
    if staff_param and staff_param != "any" and not _performs(org, service, staff_id):
        # An edited address or a forged form: a specialist who does not perform the service
        # (or no one) is refused before any time is shown, and nothing is booked.
        named = User.objects.for_org(org).filter(pk=staff_id).first() if staff_id else None
        ctx["staff_error"] = online.not_performed_text(named, service)
        staff_param = ""
        staff_ids = None
    # Specialists who work this service at all (any day in the window): for the picker.
    horizon = selectors.free_slots(
        organization=org,
        service=service,
        date_from=today,
        date_to=today + timedelta(days=min(settings.online_days_ahead, 14)),
        branch=branch,
        now=now,
        online=True,
        settings=settings,
    )
    ids = sorted({s.staff_id for s in horizon})
    ctx["specialists"] = sorted(
        User.objects.for_org(org).filter(pk__in=ids), key=lambda u: ukrainian_sort_key(str(u))
    )
    ctx["staff_param"] = staff_param
    ctx["days"] = [today + timedelta(days=i) for i in range(min(settings.online_days_ahead, 14))]
    ctx["day"] = day
    if not staff_param:
        # an edited address is still a page; a refused submission says so
        status = 400 if ctx.get("staff_error") and request.method == "POST" else 200
        return render(request, "schedule/public/book.html", ctx, status=status)
    slots = [
        s
        for s in horizon
        if s.start.astimezone(tz).date() == day and (staff_ids is None or s.staff_id in staff_ids)
    ]
    seen: set[datetime] = set()
    unique = []
    for s in slots:  # "any specialist": one button per time
        if s.start not in seen:
            seen.add(s.start)
            unique.append(
                {"start": s.start.astimezone(tz), "value": s.start.astimezone(tz).isoformat()}
            )
    ctx["slots"] = unique
    chosen = request.POST.get("slot") or request.GET.get("slot")
    if not chosen:
        return render(request, "schedule/public/book.html", ctx)
    starts_at = parse_slot(chosen)
    if starts_at is None:
        # An edited or stale address: the day's times again, with a sentence, not an error page.
        ctx["slot_error"] = _("This time cannot be booked. Please choose one of the times below.")
        return render(request, "schedule/public/book.html", ctx, status=400)
    ctx["slot"] = chosen
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=tz)
    ctx["slot_dt"] = starts_at.astimezone(tz)
    form = OnlineBookingForm(request.POST or None)
    ctx["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.online_booking_create(
                organization=org,
                service=service,
                staff=User.objects.for_org(org).filter(pk=staff_ids[0]).first()
                if staff_ids
                else None,
                branch=branch,
                starts_at=starts_at,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                phone=form.cleaned_data["phone"],
                consent=form.cleaned_data["consent"],
                ip=client_ip(request),
                now=now,
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
            status = 429 if exc.status == 429 else 200
            return render(request, "schedule/public/book.html", ctx, status=status)
        token = signing.dumps(visit.pk, salt="schedule.book")
        return redirect("schedule:book_done", org_slug=org.slug, token=token)
    return render(request, "schedule/public/book.html", ctx)


def _performs(org: Organization, service: Service, staff_id: int | None) -> bool:
    """Whether `staff_id` names one of the organization's staff who performs the service
    (the service's prefetched list: a query only for a service open to anyone)."""
    if staff_id is None:
        return False
    if service.specialists.all():
        return service.performed_by(staff_id)
    return User.objects.for_org(org).filter(pk=staff_id, is_active=True).exists()


def book_done(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    try:
        visit_id = signing.loads(token, salt="schedule.book", max_age=60 * 60 * 24)
    except signing.BadSignature:
        raise Http404 from None
    with unscoped():
        visit = (
            Visit.objects.select_related("organization", "service", "staff", "branch", "status")
            .filter(pk=visit_id, organization__slug=org_slug)
            .first()
        )
    if visit is None:
        raise Http404
    tz = organization_zone(visit.organization)
    with org_scope(visit.organization), timezone.override(tz):
        return render(
            request,
            "schedule/public/done.html",
            {
                "visit": visit,
                "organization": visit.organization,
                "start": visit.starts_at.astimezone(tz),
                "cancelled": visit.status.is_cancellation,
                "prepayment": None if visit.status.is_cancellation else _prepayment_for(visit, tz),
            },
        )


def _prepayment_for(visit: Visit, tz: Any) -> dict[str, Any] | None:
    """The visit's paid booking as the client should see it, through the prepayment app's
    hook (`hooks.bookings_for`): None when that app is absent, off, or asked for nothing.
    The deadline is shown in the organization's time zone, not the server's."""
    booking = hooks.bookings_for([visit]).get(visit.pk)
    if not booking:
        return None
    expires_at = booking.get("expires_at")
    if isinstance(expires_at, str):
        expires_at = datetime.fromisoformat(expires_at)
    if not isinstance(expires_at, datetime):
        return None
    status = booking.get("status")
    if status == "pending" and expires_at > timezone.now():
        state = "awaiting"
    elif status == "paid":
        state = "paid"
    elif status in ("pending", "expired"):
        state = "expired"  # a pending one past its deadline: the sweep has not run yet
    else:
        return None  # cancelled by staff, refunded: the visit's own status tells the rest
    return {**booking, "state": state, "expires_at": expires_at.astimezone(tz)}
