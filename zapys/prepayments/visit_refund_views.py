"""The refund of a cancelled visit's prepayment, on the visit card (calendar modal and
visit page): loaded by htmx from the schedule's card, which names no prepayment code.

A refund the provider declined used to show only on the booking page; staff working from
the calendar never saw it. The card now says where the money is (asked, refunded, or
failed with what happened and what to do) and offers "Retry refund" — the same idempotent,
audited service as the booking page (`booking_refund_retry`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zapys.core.exceptions import DomainError
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_organization
from zapys.core.views import staff_required
from zapys.prepayments import services
from zapys.prepayments.models import Booking
from zapys.schedule.views.common import visit_for

#: Who may ask the provider again (as on the booking page).
RETRY_ROLES = ("owner", "administrator")


@staff_required()
@fragment_of("schedule:visit_detail")
def visit_refunds(request: HttpRequest, visit_id: int) -> HttpResponse:
    """GET: the visit's bookings whose money goes back to the card, with their state. POST
    (`booking_id`): retry a failed one; the panel answers with the outcome."""
    visit = visit_for(request, visit_id)
    organization = request_organization(request)
    bookings = Booking.objects.for_org(organization).filter(visit_id=visit.pk)
    done = error = ""
    if request.method == "POST":
        if request.user.role not in RETRY_ROLES:  # type: ignore[union-attr]
            raise Http404
        raw = request.POST.get("booking_id", "")
        booking = bookings.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
        if booking is None:
            raise Http404
        try:
            booking = services.booking_refund_retry(booking=booking, actor=request_actor(request))
        except DomainError as exc:
            error = exc.detail
        else:
            if booking.refund_state == Booking.RefundState.FAILED:
                error = _("The refund failed again.")
            elif booking.refund_state == Booking.RefundState.DONE:
                done = _("Refunded to the card.")
            else:
                done = _("The provider took the refund; it will show here once confirmed.")
        if not request.htmx:  # type: ignore[attr-defined]
            return redirect("schedule:visit_detail", visit_id=visit.pk)
    rows = list(
        bookings.exclude(refund_state="").select_related("client").order_by("created_at", "pk")
    )
    return render(
        request,
        "prepayments/_visit_refunds.html",
        {
            "visit": visit,
            "rows": rows,
            "done": done,
            "error": error,
            "can_retry": request.user.role in RETRY_ROLES,  # type: ignore[union-attr]
            "currency": organization.currency,
        },
    )
