"""A prepayment the client's balance already covers, on the visit card (X5 from the desk).

The card said «Передоплата: очікується» while the checkout panel under it said «Покрито
балансом … · До сплати 0,00 грн»: the salon waited for a card payment of money the client
had already left with it. What a CRM does here, decided (docs/architecture.md,
prepayments): when the client's *free* balance — not standing behind their other paid
bookings (`selectors.booking_balance_offer`, the rule of every page that offers it) — covers the whole prepayment, the card
says so in words and offers «Сплатити з балансу» as its first action: one click, through
the service every other path uses (`booking_pay_from_balance`: the client's row lock, the
held money checked again, the link closed, audited). It is offered, never done by itself:
the client may mean that money for something else, and the link they were sent stays
valid until staff choose. Loaded by htmx from the schedule's card, which names no
prepayment code (as `visit_refund_views`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zapys.core.exceptions import DomainError
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_organization
from zapys.core.views import staff_required
from zapys.prepayments import services
from zapys.prepayments.models import Booking
from zapys.prepayments.selectors import booking_balance_offer
from zapys.schedule.views.common import visit_for
from zapys.schedule.views.visits import visit_detail

#: Who may pay a booking from the balance (as on the booking page's "Pay from the balance").
PAY_ROLES = ("owner", "administrator")


@staff_required()
@fragment_of("schedule:visit_detail")
def visit_balance(request: HttpRequest, visit_id: int) -> HttpResponse:
    """GET: the offer, when the visit's booking awaits payment and the client's free balance
    covers it (an empty slot otherwise). POST: pay it from the balance; the card is shown
    again with what happened."""
    visit = visit_for(request, visit_id)
    organization = request_organization(request)
    may_pay = request.user.role in PAY_ROLES  # type: ignore[union-attr]
    booking = (
        Booking.objects.for_org(organization)
        .select_related("client")
        .filter(visit_id=visit.pk, status=Booking.Status.PENDING)
        .first()
        if may_pay
        else None
    )
    if request.method == "POST":
        if booking is None:
            raise Http404
        try:
            services.booking_pay_from_balance(booking=booking, actor=request_actor(request))
        except DomainError as exc:  # the balance moved since the card was drawn
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("The prepayment was paid from the client's balance."))
        if request.htmx:  # type: ignore[attr-defined]
            # the card again, as the card's own actions answer, and the calendar's clock
            response = visit_detail(request, visit.pk)
            response["HX-Trigger"] = "calendarChanged"
            return response
        return redirect("schedule:visit_detail", visit_id=visit.pk)
    found = booking_balance_offer(booking) if booking is not None else None
    offer = found if found is not None and found.covers else None
    return render(
        request,
        "prepayments/_visit_balance.html",
        {
            "visit": visit,
            "booking": booking,
            "offer": offer,
            "currency": booking.currency if booking is not None else organization.currency,
        },
    )
