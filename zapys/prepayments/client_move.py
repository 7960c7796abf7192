"""The client moves their own visit from the booking's link (X3: "a client may cancel or move
a visit from the link in a message or the cabinet, inside the rules").

The rules are the cancellation policy's: a visit may be moved while cancelling it would be
free (`selectors.cancel_terms(...).inside_window`: the same hours before the start), while it
is ahead and not cancelled, once per visit (`MOVES_PER_VISIT`: the policy has no setting for
it), and only when its prepayment is paid. A booking still awaiting payment is refused: its
deadline was set from the old start ("N minutes before the visit") and moving the visit
earlier would leave the deadline after the new start; the client pays first, or calls.

The times offered are the same specialist's free times for the same service in the visit's
branch (`schedule.selectors.free_slots`, the public booking page's rules: its lead time and
days ahead); the move is `schedule.services.visit_reschedule` with the client link as the
actor, so the visit's audit says "Visit moved" by the client, from → to. The prepayment is
the visit's booking and stays with it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zapys.core.audit import Actor
from zapys.core.dates import moment_in_words
from zapys.core.exceptions import DomainError
from zapys.core.i18n import public_language
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope, organization_zone, public_scope
from zapys.prepayments import selectors, services
from zapys.prepayments.models import Booking
from zapys.schedule.forms import parse_slot
from zapys.schedule.models import Visit
from zapys.schedule.selectors import free_slots, schedule_settings_for
from zapys.schedule.services import visit_reschedule
from zapys.schedule.services.occupancy import locked_visit
from zapys.schedule.views.common import parse_date

#: How many times a client may move one visit online (then: a call). One, as most salons
#: allow: a second move is usually a cancellation in disguise.
MOVES_PER_VISIT = 1
#: The day strip's length at most (the public booking page's).
DAYS_SHOWN = 14

#: Why a visit cannot be moved now (the template says each in words).
CANCELLED = "cancelled"
STARTED = "started"
UNPAID = "unpaid"
CLOSED = "closed"
WINDOW = "window"
MOVED = "moved"


def _client_moves(visit: Visit) -> int:
    """How many times the client moved this visit from a link: the audit's own rows (one
    indexed read; staff moves do not count)."""
    return (
        AuditLog.objects.filter(
            organization_id=visit.organization_id,
            action="visit.reschedule",
            object_type=Visit._meta.label_lower,
            object_id=str(visit.pk),
            actor_kind=AuditLog.ActorKind.CLIENT_LINK,
        )
        .values("pk")
        .count()
    )


def move_refusal(visit: Visit, booking: Booking, now: datetime) -> tuple[str, Any]:
    """Why the client cannot move `visit` now ("" when they can), with the terms read."""
    terms = selectors.cancel_terms(visit, booking, now)
    if not visit.blocks_time:
        return CANCELLED, terms
    if visit.starts_at <= now:
        return STARTED, terms
    if booking.status == Booking.Status.PENDING:
        return UNPAID, terms
    if booking.status != Booking.Status.PAID or visit.kind != Visit.Kind.INDIVIDUAL:
        # a refunded or expired booking, or a seat in a group lesson (its time is the
        # lesson's, not the client's to move)
        return CLOSED, terms
    if not terms.inside_window:
        return WINDOW, terms
    if _client_moves(visit) >= MOVES_PER_VISIT:
        return MOVED, terms
    return "", terms


def _days(today: date, days_ahead: int) -> list[date]:
    return [today + timedelta(days=i) for i in range(max(1, min(days_ahead, DAYS_SHOWN)))]


def _day_slots(visit: Visit, day: date, now: datetime, settings: Any) -> list[dict[str, Any]]:
    """The free start times of the visit's specialist for its service on `day`, in the
    organization's zone: four queries however many (`free_slots`). The online lead time
    applies as on the booking page; the specialist is the visit's own, whether or not the
    service lists them (staff booked them)."""
    tz = organization_zone(visit.organization)
    if visit.service is None:  # not an individual visit: `move_refusal` refused it
        return []
    earliest = now + timedelta(minutes=settings.online_min_lead_minutes)
    found = free_slots(
        organization=visit.organization,
        service=visit.service,
        date_from=day,
        date_to=day,
        staff_ids=[visit.staff_id],
        branch=visit.branch,
        now=now,
        settings=settings,
    )
    return [
        {"start": s.start.astimezone(tz), "value": s.start.astimezone(tz).isoformat()}
        for s in found
        if s.start >= earliest and s.start.astimezone(tz).date() == day
    ]


def client_move_page(request: HttpRequest, token: str) -> HttpResponse:
    """The client picks a new time for their visit from the booking's link. A wrong token
    is a 404; a visit that cannot be moved shows why and whom to call; a time taken
    meanwhile says so and changes nothing."""
    found = selectors.booking_by_link_token(token)
    if found is None:
        raise Http404
    organization = found.organization
    with org_scope(organization):
        settings = services.prepayment_settings_get(organization)
        # The client's own choice (the language switch's cookie) first, then the page's.
        language = public_language(request, organization, settings.page_language)
        with public_scope(organization, language):
            response = _move_page(request, found, organization, settings)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _load_visit(booking: Booking) -> Visit:
    return (
        Visit.objects.for_org(booking.organization)
        .select_related("organization", "client", "staff", "service", "branch", "status")
        .get(pk=booking.visit_id)
    )


def _move_page(
    request: HttpRequest, booking: Booking, organization: Any, settings: Any
) -> HttpResponse:
    visit = _load_visit(booking)
    now = timezone.now()
    tz = organization_zone(organization)
    refusal, terms = move_refusal(visit, booking, now)
    context: dict[str, Any] = {
        "organization": organization,
        "settings": settings,
        "theme": settings.page_theme,
        "booking": booking,
        "visit": visit,
        "terms": terms,
        "currency": organization.currency,
        "refusal": refusal,
        "moves_allowed": MOVES_PER_VISIT,
        "free_hours": terms.policy.free_cancel_hours if terms.policy is not None else None,
        "phone": (visit.branch.phone if visit.branch else "") or organization.phone,
        "current_when": moment_in_words(visit.starts_at.astimezone(tz)),
    }
    if refusal:
        status = 200 if request.method == "GET" else 409
        return render(request, "prepayments/move_page.html", context, status=status)
    schedule_settings = schedule_settings_for(organization)
    today = now.astimezone(tz).date()
    days = _days(today, schedule_settings.online_days_ahead)
    chosen_text = request.POST.get("slot") or request.GET.get("slot") or ""
    chosen = parse_slot(chosen_text)
    if chosen is not None and timezone.is_naive(chosen):
        chosen = chosen.replace(tzinfo=tz)
    default_day = chosen.astimezone(tz).date() if chosen is not None else today
    day = parse_date(request.GET.get("date"), default_day) if request.method == "GET" else None
    day = min(max(day or default_day, days[0]), days[-1])
    slots = _day_slots(visit, day, now, schedule_settings)
    offered = {s["start"] for s in slots}
    context.update({"days": days, "day": day, "slots": slots})
    if chosen_text and (chosen is None or chosen not in offered):
        # An edited address, a time taken since the page was drawn, or one outside the
        # specialist's hours: the day's free times again with a sentence; nothing moved.
        context["slot_error"] = True
        return render(request, "prepayments/move_page.html", context, status=409)
    if chosen is None:
        return render(request, "prepayments/move_page.html", context)
    context["chosen"] = chosen.astimezone(tz)
    context["chosen_when"] = moment_in_words(chosen.astimezone(tz), today=today)
    context["chosen_value"] = chosen_text
    if request.method != "POST":
        return render(request, "prepayments/move_page.html", context)
    try:
        with transaction.atomic():
            # The rules again under the visit's lock: two confirmations at once move it once.
            visit = locked_visit(visit)
            booking = Booking.objects.for_org(organization).get(pk=booking.pk)
            refusal, _terms = move_refusal(visit, booking, timezone.now())
            if refusal:
                raise _Refused(refusal)
            visit = visit_reschedule(
                visit=visit,
                starts_at=chosen,
                actor=Actor.client_link(f"booking {booking.pk}"),
            )
    except _Refused as exc:
        context["refusal"] = exc.code
        return render(request, "prepayments/move_page.html", context, status=409)
    except DomainError:
        # Taken between the page's read and the lock (check_free / the exclusion constraint).
        context["slot_error"] = True
        context.pop("chosen", None)
        context["slots"] = [s for s in slots if s["start"] != chosen]
        return render(request, "prepayments/move_page.html", context, status=409)
    context.update(
        {
            "done": True,
            "visit": visit,
            "moved_from": context["current_when"],
            "moved_to": moment_in_words(visit.starts_at.astimezone(tz), today=today),
        }
    )
    return render(request, "prepayments/move_page.html", context)


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
