"""Staff pages (settings tabs, booking dialog, report, booking card) and the client's
public payment page. Views parse and authorize, then call one service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zapys.accounts.models import Branch
from zapys.core import exports
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.money import to_decimal_string
from zapys.core.tenancy import org_scope, public_scope, unscoped
from zapys.core.views import staff_required
from zapys.ledger.models import PaymentType
from zapys.ledger.selectors import client_balance, payment_types_list
from zapys.messaging.events import get_event
from zapys.payments.checkout import LOST_STATUSES, checkout_context, checkout_submit
from zapys.payments.selectors import payment_get
from zapys.payments.services.opens import payment_opened_record
from zapys.prepayments import events, selectors, services
from zapys.prepayments.forms import (
    TAB_FIELDS,
    BookingCreateForm,
    BookingTypeForm,
    CancellationsFilterForm,
    ExtendForm,
    PolicyForm,
    ReportFilterForm,
    RuleForm,
    settings_form_class,
)
from zapys.prepayments.models import (
    Booking,
    BookingType,
    BranchFinance,
    CancellationPolicy,
    PrepaymentRule,
)
from zapys.prepayments.refunds_failed import FailedRefund, refunds_failed
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_cancel as cancel_visit
from zapys.schedule.texts import visit_named

TABS = [
    ("main", gettext_lazy("Main")),
    ("term", gettext_lazy("Booking term and cancellation")),
    ("system", gettext_lazy("Payment service")),
    ("finance", gettext_lazy("Prepayment types and finance")),
    ("messages", gettext_lazy("Message templates")),
    ("page", gettext_lazy("Payment page")),
    ("agreement", gettext_lazy("Agreement")),
    ("policy", gettext_lazy("Cancellation policy")),
]


# --------------------------------------------------------------------------- settings


@staff_required("owner")
def settings_view(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    tab = request.GET.get("tab", "main")
    if tab not in TAB_FIELDS:
        tab = "main"
    obj = services.prepayment_settings_get(organization)
    form_class = settings_form_class(tab)
    form = form_class(request.POST or None, request.FILES or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        fields = {}
        for name in TAB_FIELDS[tab]:
            value = form.cleaned_data.get(name)
            if name == "release_before_start_minutes" and value is None:
                continue  # left empty: keep the current value
            if name == "page_background":
                if value is None:
                    continue  # no new file, keep the current one
                value = value or ""
            fields[name] = value
        try:
            services.prepayment_settings_update(
                organization=organization, actor=request_actor(request), **fields
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Prepayment settings saved."))
            return redirect(f"{reverse('prepayments:settings')}?tab={tab}")
    context: dict[str, Any] = {"form": form, "tab": tab, "tabs": TABS, "settings": obj}
    if tab == "finance":
        context["booking_types"] = BookingType.objects.for_org(organization)
        context["type_form"] = BookingTypeForm()
        context["rules"] = PrepaymentRule.objects.for_org(organization).select_related(
            "service", "tag", "booking_type"
        )
        context["rule_form"] = RuleForm(organization=organization)
        finance = {
            f.branch_id: f
            for f in BranchFinance.objects.for_org(organization).select_related("payment_type")
        }

        types: dict[int, list] = {}
        for pt in payment_types_list(active_only=True):
            types.setdefault(pt.branch_id, []).append(pt)
        context["branches"] = [
            (b, finance.get(b.pk), types.get(b.pk, []))
            for b in Branch.objects.for_org(organization)
        ]
    if tab == "messages":
        context["events"] = [get_event(code) for code in events.EVENTS]
    if tab == "policy":
        context.update(_policy_tab(organization, PolicyForm(organization=organization)))
    return render(request, "prepayments/settings.html", context)


def _policy_tab(organization: Any, policy_form: PolicyForm) -> dict[str, Any]:
    language = translation.get_language() or "uk"
    return {
        "policies": [
            (p, selectors.policy_text(p, language))
            for p in services.policy_presets_ensure(organization)
        ],
        "policy_form": policy_form,
    }


@staff_required("owner")
def policy_new(request: HttpRequest) -> HttpResponse:
    """A custom cancellation policy: saved, or the settings tab again with field errors."""
    organization = request_organization(request)
    form = PolicyForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancellation_policy_create(
                organization=organization, actor=request_actor(request), **form.cleaned_data
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Cancellation policy added."))
            return redirect(f"{reverse('prepayments:settings')}?tab=policy")
    settings = services.prepayment_settings_get(organization)
    context: dict[str, Any] = {
        "form": settings_form_class("policy")(instance=settings),
        "tab": "policy",
        "tabs": TABS,
        "settings": settings,
        **_policy_tab(organization, form),
    }
    return render(request, "prepayments/settings.html", context)


@staff_required("owner")
@require_POST
def booking_type_new(request: HttpRequest) -> HttpResponse:
    form = BookingTypeForm(request.POST)
    if form.is_valid():
        try:
            services.booking_type_create(
                organization=request_organization(request),
                actor=request_actor(request),
                **form.cleaned_data,
            )
            messages.success(request, _("Prepayment type added."))
        except DomainError as exc:
            messages.error(request, exc.detail)
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('prepayments:settings')}?tab=finance")


@staff_required("owner")
@require_POST
def rule_new(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    form = RuleForm(request.POST, organization=organization)
    if form.is_valid():
        try:
            services.prepayment_rule_create(
                organization=organization, actor=request_actor(request), **form.cleaned_data
            )
            messages.success(request, _("Rule added."))
        except DomainError as exc:
            messages.error(request, exc.detail)
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(f"{reverse('prepayments:settings')}?tab=finance")


@staff_required("owner")
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(PrepaymentRule.objects.for_org(request_organization(request)), pk=pk)
    services.prepayment_rule_delete(rule=rule, actor=request_actor(request))
    return redirect(f"{reverse('prepayments:settings')}?tab=finance")


@staff_required("owner")
@require_POST
def branch_finance(request: HttpRequest, branch_id: int) -> HttpResponse:

    organization = request_organization(request)
    branch = get_object_or_404(Branch.objects.for_org(organization), pk=branch_id)
    pt_id = request.POST.get("payment_type") or None
    payment_type = None
    if pt_id:
        payment_type = (
            PaymentType.objects.for_org(organization).filter(pk=pt_id).first()
            if pt_id.isdigit()
            else None
        )
        if payment_type is None:  # not ours, or not a number: say so, change nothing
            messages.error(request, _("Choose a payment type of this branch."))
            return redirect(f"{reverse('prepayments:settings')}?tab=finance")
    try:
        services.branch_finance_set(
            organization=organization,
            branch=branch,
            actor=request_actor(request),
            payment_type=payment_type,
            fiscal_register=request.POST.get("fiscal_register", ""),
        )
        messages.success(request, _("Saved."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect(f"{reverse('prepayments:settings')}?tab=finance")


@staff_required("owner")
@require_POST
def cancel_status_new(request: HttpRequest) -> HttpResponse:
    services.cancel_status_create(
        organization=request_organization(request), actor=request_actor(request)
    )
    messages.success(request, _("A dedicated cancellation status was created and chosen."))
    return redirect(f"{reverse('prepayments:settings')}?tab=term")


# --------------------------------------------------------------------------- visit card


@staff_required("owner", "administrator")
def visit_booking(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The visit card's "Request prepayment" page: channel + type, amounts shown first."""

    organization = request_organization(request)
    visit = get_object_or_404(
        Visit.objects.for_org(organization).select_related(
            "client", "staff", "service", "branch", "status"
        ),
        pk=visit_id,
    )
    settings = services.prepayment_settings_get(organization)
    default_type = selectors.booking_type_default(organization)
    form = BookingCreateForm(
        request.POST or None,
        organization=organization,
        initial={"channel": settings.default_channel, "booking_type": default_type},
    )
    if request.method == "POST" and request.POST.get("pay_at_desk") == "1":
        try:
            services.visit_pay_at_desk(visit=visit, actor=request_actor(request))
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("No link sent: the payment is taken at the desk."))
        return redirect("schedule:visit_detail", visit_id=visit.pk)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(
                visit=visit,
                actor=request_actor(request),
                booking_type=form.cleaned_data["booking_type"],
                channel=form.cleaned_data["channel"] or "",
            )
        except DomainError as exc:
            active = (
                exc.extra.get("booking")
                if exc.extra.get("code") == services.BOOKING_ACTIVE
                else None
            )
            if active is not None:
                # made meanwhile (another tab, a double submit): its page, not a form error
                messages.info(request, _("This visit already has a prepayment: here it is."))
                return redirect("prepayments:detail", pk=active["id"])
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Prepayment requested; the payment link was sent."))
            return redirect("prepayments:detail", pk=booking.pk)
    amounts: list[tuple[Any, int | None, str]] = []
    for booking_type in BookingType.objects.for_org(organization).filter(is_active=True):
        try:
            amounts.append(
                (booking_type, selectors.booking_amount(visit=visit, booking_type=booking_type), "")
            )
        except DomainError as exc:
            amounts.append((booking_type, None, exc.detail))
    decision = selectors.prepayment_decision(visit=visit, settings=settings)
    now = timezone.now()
    current = selectors.booking_for_visit(visit)
    deadline, deadline_reason = services.booking_deadline(visit, settings, now)
    too_late = (
        visit.starts_at > now
        and (deadline - now).total_seconds() < services.MIN_MINUTES_TO_PAY * 60
    )
    return render(
        request,
        "prepayments/visit_booking.html",
        {
            "deadline": deadline,
            "deadline_reason": deadline_reason,
            "too_late": too_late,
            "visit": visit,
            "form": form,
            "amounts": amounts,
            "decision": decision,
            "settings": settings,
            "current": current,
            # an open or paid booking: the page shows it, not a form for a second one
            "has_active": request.method == "GET"
            and current is not None
            and current.status in (Booking.Status.PENDING, Booking.Status.PAID),
            "current_cancellable": current is not None
            and services.booking_cancellable(current, now),
            # the booking page's actions, offered here too: resend while the link works,
            # take from the balance when it is enough
            "link_live": current is not None
            and current.status == Booking.Status.PENDING
            and current.expires_at > now,
            "balance": client_balance(visit.client) if current is not None else 0,
            # offered when the *free* balance covers it, as on the visit card
            "balance_offer": selectors.booking_balance_offer(current)
            if current is not None
            else None,
            "visit_passed": visit.starts_at <= now or not visit.blocks_time,
            # the client's membership pays for the visit: nothing to ask (the service refuses)
            "covered": decision.why["kind"] == "membership",
        },
    )


# --------------------------------------------------------------------------- report


def _filters(form: ReportFilterForm) -> selectors.ReportFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.ReportFilters(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        branch_id=data["branch"].pk if data.get("branch") else None,
        staff_id=data["staff"].pk if data.get("staff") else None,
        status=data.get("status") or "",
        booking_type_id=data["booking_type"].pk if data.get("booking_type") else None,
        paid_late=True if data.get("paid_late") else None,
    )


# The columns of the prepayments export, in the page's language (issue 17: no keys).
EXPORT_HEADER = [
    gettext_lazy("No."),
    gettext_lazy("Created"),
    gettext_lazy("Client"),
    gettext_lazy("Service"),
    gettext_lazy("Specialist"),
    gettext_lazy("Visit"),
    gettext_lazy("Branch"),
    gettext_lazy("Prepayment type"),
    gettext_lazy("Status"),
    gettext_lazy("Paid late"),
    gettext_lazy("Amount"),
    gettext_lazy("Currency"),
    gettext_lazy("Pay by"),
    gettext_lazy("Paid"),
]


def _export_rows(qs: Any) -> list[list[Any]]:
    rows = []
    for b in qs:
        rows.append(
            [
                b.pk,
                exports.export_moment(b.created_at),
                b.client.name,
                b.visit.title,
                str(b.visit.staff),
                exports.export_moment(b.visit.starts_at),
                b.visit.branch.name,
                b.booking_type.name if b.booking_type else "",
                b.get_status_display(),
                _("yes") if b.paid_late else "",
                # Decimal: a number in the sheet, exact (never float); exact text in CSV.
                Decimal(to_decimal_string(b.amount)),
                b.currency,
                exports.export_moment(b.expires_at),
                exports.export_moment(b.paid_at),
            ]
        )
    return rows


@staff_required()
def bookings_report(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    form = ReportFilterForm(request.GET or None, organization=organization)
    qs = selectors.bookings_list(_filters(form))
    export = request.GET.get("export")
    if export == "csv":
        return exports.csv_response("prepayments.csv", EXPORT_HEADER, _export_rows(qs))
    if export == "xlsx":
        return exports.xlsx_response(
            "prepayments.xlsx", _("Prepayments"), EXPORT_HEADER, _export_rows(qs)
        )
    totals = selectors.report_totals(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "prepayments/report.html",
        {
            "form": form,
            "page": page,
            "totals": totals,
            # money came for these, but their status is no longer "paid" (a "paid" booking
            # always has `paid_at`, so this is never negative): a card of the second row
            # says where they are, so "Paid 2" beside "money received: 5" adds up
            "received_elsewhere": totals.received - totals.paid,
            "query": query.urlencode(),
        },
    )


@staff_required()
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.for_org(request_organization(request)).select_related(
            "visit",
            "visit__staff",
            "visit__service",
            "visit__branch",
            "visit__status",
            "client",
            "payment",
            "booking_type",
        ),
        pk=pk,
    )

    return _detail_page(request, booking, ExtendForm())


def _detail_page(
    request: HttpRequest, booking: Booking, extend_form: ExtendForm, status: int = 200
) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "prepayments/detail.html",
        {
            "booking": booking,
            # the page is named by its visit, not the booking's number («Бронювання №6»)
            "visit_named": visit_named(booking.visit, request_organization(request)).render(),
            "messages_sent": selectors.booking_messages(booking),
            "balance": client_balance(booking.client),
            # «Сплатити з балансу» when the *free* balance covers it, as on the visit card
            "balance_offer": selectors.booking_balance_offer(booking),
            # the link's actions: only while the client can still pay through it
            "link_live": booking.status == Booking.Status.PENDING and booking.expires_at > now,
            # cancel buttons only where the service would cancel (not after the visit)
            "cancellable": services.booking_cancellable(booking, now),
            "extend_form": extend_form,
        },
        status=status,
    )


@staff_required("owner", "administrator")
@require_POST
def booking_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the payment link again; the page says where it went and how it is doing."""
    booking = get_object_or_404(Booking.objects.for_org(request_organization(request)), pk=pk)
    try:
        message = services.booking_link_resend(booking=booking, actor=request_actor(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("The payment link was sent again: %(channel)s, %(to)s — %(status)s.")
            % {
                "channel": message.get_channel_display(),
                "to": message.recipient or booking.client.phone,
                "status": message.get_status_display(),
            },
        )
    return redirect("prepayments:detail", pk=pk)


@staff_required("owner", "administrator")
@require_POST
def booking_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """More time to pay: a wrong number of hours is an error on the field, nothing changed."""
    booking = get_object_or_404(
        Booking.objects.for_org(request_organization(request)).select_related(
            "visit", "visit__staff", "visit__service", "visit__status", "client", "payment"
        ),
        pk=pk,
    )
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            booking = services.booking_extend(
                booking=booking, hours=form.cleaned_data["hours"], actor=request_actor(request)
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The client can pay until %(time)s.")
                % {
                    "time": formats.date_format(
                        timezone.localtime(booking.expires_at), "SHORT_DATETIME_FORMAT"
                    )
                },
            )
            return redirect("prepayments:detail", pk=pk)
    return _detail_page(request, booking, form, status=400)


@staff_required("owner", "administrator")
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = get_object_or_404(Booking.objects.for_org(request_organization(request)), pk=pk)
    actor = request_actor(request)
    try:
        if action == "cancel":
            services.booking_cancel(booking=booking, actor=actor, refund=False)
        elif action == "cancel-refund":
            services.booking_cancel(booking=booking, actor=actor, refund=True)
        elif action == "restore":
            services.booking_restore(booking=booking, actor=actor)
        elif action == "refund":
            services.booking_refund(booking=booking, actor=actor)
        elif action == "retry-refund":
            booking = services.booking_refund_retry(booking=booking, actor=actor)
            if booking.refund_state == Booking.RefundState.FAILED:
                messages.error(request, _("The refund failed again: %s") % booking.refund_failure)
                return redirect("prepayments:detail", pk=pk)
        elif action == "balance":
            services.booking_pay_from_balance(booking=booking, actor=actor)
        else:
            raise Http404
        messages.success(request, _("Done."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("prepayments:detail", pk=pk)


# --------------------------------------------------------------------------- public page


def payment_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the client opens from the link (B6): the business, the visit, and while the
    booking awaits payment the one checkout (`payments.checkout`) for its current attempt —
    the agreement before any way of paying (X4), the balance (X5), "Try again" after a
    declined card, the provider's form. A wrong token is a 404; an expired link shows the
    configured message and no form."""
    if len(token) > 64:
        raise Http404
    with unscoped():
        booking = Booking.objects.select_related("organization").filter(token=token).first()
    if booking is None:
        raise Http404
    organization = booking.organization
    with org_scope(organization):
        booking = selectors.booking_get(booking_id=booking.pk)
        settings = services.prepayment_settings_get(organization)
        # The client's own choice (the language switch's cookie) first, then the page's.
        language = public_language(request, organization, settings.page_language)
        # The client reads this page (and the errors of what they chose on it) in the
        # page's language and the organization's time zone; what the services store is in
        # the organization's language.
        with public_scope(organization, language):
            response = _payment_page(request, booking, organization, settings, language)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _payment_page(
    request: HttpRequest, booking: Booking, organization: Any, settings: Any, language: str
) -> HttpResponse:
    now = timezone.now()
    booking.organization = organization  # the same row: its phone for "call us", no query
    expired = booking.status in (Booking.Status.EXPIRED, Booking.Status.CANCELLED) or (
        booking.status == Booking.Status.PENDING and booking.expires_at <= now
    )
    # Payable until the booking's own deadline, whatever became of one card attempt.
    payable = not expired and booking.status == Booking.Status.PENDING
    # The current attempt with its account and client: the provider's form needs both.
    payment = payment_get(payment_id=booking.payment_id) if booking.payment_id else None
    if payment is not None:
        payment.organization = organization  # the same row, loaded with the booking
        if request.method == "GET":
            payment_opened_record(payment, viewer=request.user)  # the funnel's "opened" (X9)
    submitted = None
    if request.method == "POST" and payable and payment is not None:
        submitted = checkout_submit(
            request, payment, actor=Actor.client_link(f"booking {booking.pk}"), payable=True
        )
        if submitted.done:
            return redirect("prepayments:page", token=booking.token)
    payment_lost = payment is None or payment.status in LOST_STATUSES
    # back from the provider: "waiting for confirmation" until the callback lands, instead
    # of offering to pay again
    returned = request.GET.get("return") == "1" and not payment_lost
    checkout = None
    if payable and not returned and payment is not None:
        checkout = checkout_context(payment, language=language, payable=True, submitted=submitted)
    return render(
        request,
        "prepayments/page.html",
        {
            "booking": booking,
            "visit": booking.visit,
            "organization": organization,
            "settings": settings,
            # what the organization wrote for its clients, in the page's language
            "texts": settings.texts(language),
            "terms": booking.terms_snapshot,
            "expired": expired,
            "checkout": checkout,
            "theme": settings.page_theme,
            "page_language": language,
            "returned": returned,
            "policy_text": (booking.terms_snapshot.get("policy") or {})
            .get("text", {})
            .get(language, ""),
        },
    )


# --------------------------------------------------------------------------- cancelling (V2)


def _cancel_context(visit: Visit, booking: Booking | None, now: Any) -> dict[str, Any]:
    terms = selectors.cancel_terms(visit, booking, now)
    return {
        "visit": visit,
        "booking": booking,
        "terms": terms,
        "currency": visit.organization.currency,
        "staff_chooses_rest": terms.rest
        and terms.rest_to == CancellationPolicy.Rest.STAFF
        and terms.can_refund,
    }


@staff_required("owner", "administrator")
def visit_cancel(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Cancel a visit that holds money: the fee and the rest shown first; staff choose only
    what the policy leaves to them (waive the fee with a reason; balance or card)."""
    organization = request_organization(request)
    visit = get_object_or_404(
        Visit.objects.for_org(organization).select_related(
            "organization", "client", "staff", "service", "branch", "status"
        ),
        pk=visit_id,
    )
    booking = (
        Booking.objects.for_org(organization)
        .select_related("booking_type", "booking_type__cancellation_policy")
        .filter(visit=visit, status=Booking.Status.PAID)
        .first()
    )
    now = timezone.now()
    error = ""
    if request.method == "POST" and visit.blocks_time:
        options = {
            "by": "staff",
            "waive_fee": request.POST.get("waive_fee") == "1",
            "reason": request.POST.get("reason", ""),
            "rest": request.POST.get("rest") or None,
        }
        try:
            cancel_visit(visit=visit, actor=request_actor(request), options=options)
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, _("The visit is cancelled."))
            if booking is not None:
                return redirect("prepayments:detail", pk=booking.pk)
            return redirect("schedule:visit_detail", visit_id=visit.pk)
    context = _cancel_context(visit, booking, now)
    context["error"] = error
    context["posted"] = request.POST
    return render(request, "prepayments/visit_cancel.html", context, status=422 if error else 200)


def client_cancel_page(request: HttpRequest, token: str) -> HttpResponse:
    """The client cancels from the link in a message: free inside the window; outside it
    the fee is shown before confirming; after the start (or once cancelled) a clear page
    and nothing changes."""
    found = selectors.booking_by_link_token(token)
    if found is None:
        raise Http404
    organization = found.organization
    with org_scope(organization):
        settings = services.prepayment_settings_get(organization)
        # The client's own choice (the language switch's cookie) first, then the page's.
        language = public_language(request, organization, settings.page_language)
        with public_scope(organization, language):
            booking = selectors.booking_get(booking_id=found.pk)
            visit = Visit.objects.select_related(
                "organization", "client", "staff", "service", "branch", "status"
            ).get(pk=booking.visit_id)
            now = timezone.now()
            context = _cancel_context(visit, booking, now)
            context.update(
                {"organization": organization, "settings": settings, "theme": settings.page_theme}
            )
            can_cancel = visit.blocks_time and visit.starts_at > now
            context["can_cancel"] = can_cancel
            if request.method == "POST" and can_cancel:
                done = cancel_visit(
                    visit=visit,
                    actor=Actor.client_link(f"booking {booking.pk}"),
                    options={"by": "client"},
                )
                context["done"] = getattr(done, "status_effects", {}).get("cancellation") or {
                    "fee": 0,
                    "kept": 0,
                    "to_balance": 0,
                    "refunded": 0,
                }
                context["can_cancel"] = False
            response = render(
                request,
                "prepayments/cancel_page.html",
                context,
                status=200 if can_cancel or request.method == "GET" else 409,
            )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


#: The first column names what the rows are grouped by ("Name" read as a service's name
#: above a column of clients).
CANCELLATIONS_GROUP_HEADING = {
    "client": gettext_lazy("Client"),
    "service": gettext_lazy("Service"),
    "staff": gettext_lazy("Specialist"),
}

CANCELLATIONS_HEADER = [
    gettext_lazy("Bookings cancelled"),
    gettext_lazy("Late cancellation fees"),
    gettext_lazy("No-show fees"),
    gettext_lazy("Fees charged"),
    gettext_lazy("Fees waived"),
    gettext_lazy("Refunded"),
    gettext_lazy("Left on the balance"),
]


@staff_required("owner", "administrator")
def cancellations_report(request: HttpRequest) -> HttpResponse:
    """Cancellations and fees (X3, V2): by client, service or specialist, with CSV."""
    form = CancellationsFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    group = data.get("group") or "client"
    rows = selectors.cancellations_report(
        group=group, date_from=data.get("date_from"), date_to=data.get("date_to")
    )
    failed_count, failed = refunds_failed(
        date_from=data.get("date_from"), date_to=data.get("date_to")
    )
    only_failed = request.GET.get("refund") == "failed"
    if only_failed and request.GET.get("export") == "csv":
        return exports.csv_response("refunds-failed.csv", REFUNDS_FAILED_HEADER, [
            [timezone.localtime(r.visit_at).strftime("%d.%m.%Y %H:%M"), r.client, r.service,
             Decimal(to_decimal_string(r.amount)), _("Refund failed"), r.reason] for r in failed
        ])  # fmt: skip
    if request.GET.get("export") == "csv":
        return exports.csv_response(
            "cancellations.csv",
            [CANCELLATIONS_GROUP_HEADING[group], *CANCELLATIONS_HEADER],
            [
                [
                    r.name,
                    r.cancelled,
                    r.late,
                    r.no_shows,
                    Decimal(to_decimal_string(r.charged)),
                    Decimal(to_decimal_string(r.waived)),
                    Decimal(to_decimal_string(r.refunded)),
                    Decimal(to_decimal_string(r.to_balance)),
                ]
                for r in rows
            ],
        )
    totals = {
        name: sum(getattr(r, name) for r in rows)
        for name in ("cancelled", "late", "no_shows", "charged", "waived", "refunded", "to_balance")
    }
    query = request.GET.copy()
    query["export"] = "csv"
    return render(
        request,
        "prepayments/cancellations.html",
        {"form": form, "rows": rows, "totals": totals, "csv_query": query.urlencode(),
         "group_heading": CANCELLATIONS_GROUP_HEADING[group],
         **refunds_failed_context(request, failed_count, failed, only_failed)},
    )  # fmt: skip


REFUNDS_FAILED_HEADER = [
    gettext_lazy("Visit"),
    gettext_lazy("Client"),
    gettext_lazy("Service"),
    gettext_lazy("To refund"),
    gettext_lazy("Status"),
    gettext_lazy("Reason"),
]


def refunds_failed_context(
    request: HttpRequest, count: int, rows: list[FailedRefund], only_failed: bool
) -> dict[str, Any]:
    """The report's "Refund failed" filter: its count, its rows, the links to switch."""
    query = request.GET.copy()
    query.pop("export", None)
    query["refund"] = "failed"
    all_query = query.copy()
    all_query.pop("refund")
    return {
        "refunds_failed": rows,
        "refunds_failed_count": count,
        "only_failed": only_failed,
        "failed_query": query.urlencode(),
        "all_query": all_query.urlencode(),
    }
