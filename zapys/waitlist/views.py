"""Pages of the waiting list: the staff list (filters, add, remove), the client card's part,
and the client's offer page behind the link the offer message carries."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.accounts.models import Organization, User
from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.clients.selectors import client_or_404
from zapys.core.audit import Actor
from zapys.core.dates import moment_relative
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import client_ip, request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.settings_pages import settings_page
from zapys.core.tenancy import public_scope, unscoped
from zapys.core.views import staff_required
from zapys.ledger.selectors import client_balance
from zapys.payments.models import Payment
from zapys.schedule.forms import parse_public_id
from zapys.schedule.models import Visit
from zapys.schedule.views.common import parse_date
from zapys.waitlist import selectors, services
from zapys.waitlist.forms import EntryFilterForm, EntryForm, PublicJoinForm, SettingsForm
from zapys.waitlist.models import Entry, Offer


def _create(request: HttpRequest, form: EntryForm, client: Client | None = None) -> Entry | None:
    if request.method != "POST" or not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.entry_create(
            organization=request_organization(request),
            client=client or data["client"],
            service=data["service"],
            staff=data["staff"],
            lesson=data["lesson"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            comment=data["comment"] or "",
            actor=request_actor(request),
        )
    except DomainError as exc:
        form_add_domain_error(form, exc)
        return None


@staff_required()
def entries_list(request: HttpRequest) -> HttpResponse:
    """The waiting list: who waits for what, their offers, the slots re-sold; add, remove."""
    return _list_page(
        request, EntryFilterForm(request.GET or None), EntryForm(request.POST or None)
    )


@staff_required()
def visit_entry(request: HttpRequest, visit_id: int) -> HttpResponse:
    """ "Add to waiting list" from the calendar's visit card: the list page with the entry
    form filled from the visit — its lesson (a seat of a full lesson), or its service,
    specialist and day (someone else wants that taken time)."""
    visit = Visit.objects.select_related("client", "service", "staff").filter(pk=visit_id).first()
    if visit is None:
        raise Http404
    day = timezone.localtime(visit.starts_at).date()
    if visit.kind == Visit.Kind.LESSON:
        initial: dict[str, object] = {"lesson": visit.pk, "date_from": day, "date_to": day}
    else:
        initial = {
            "service": visit.service_id,
            "staff": visit.staff_id,
            "date_from": day,
            "date_to": day,
        }
    form = EntryForm(request.POST or None, initial=initial)
    return _list_page(request, EntryFilterForm(None), form, from_visit=visit)


def _list_page(
    request: HttpRequest,
    filters: EntryFilterForm,
    form: EntryForm,
    from_visit: Visit | None = None,
) -> HttpResponse:
    status, service, staff, branch = "", None, None, None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or ""
        service, staff = filters.cleaned_data["service"], filters.cleaned_data["staff"]
        branch = filters.cleaned_data["branch"]
    qs = selectors.entry_list(
        selectors.EntryFilters(
            status="" if status in ("", "all") else status,
            service_id=service.pk if service else None,
            staff_id=staff.pk if staff else None,
            branch=branch,
        )
    )
    if status == "":
        qs = qs.filter(status__in=services.LIVE)
    if _create(request, form) is not None:
        messages.success(request, _("The client is on the waiting list."))
        return redirect("waitlist:list")
    organization = request_organization(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.offer = selectors.latest_offer(entry)  # type: ignore[attr-defined]
    deferred = selectors.deferred_summary()
    return render(
        request,
        "waitlist/list.html",
        {
            "filters": filters,
            "form": form,
            "page": page,
            # in the branch filtered, as the dashboard card that links here counts them
            "resold": selectors.resold(branch=branch),
            # and says which: the top bar may name one branch while the page shows all (tour 6)
            "scope_branch": branch,
            # Read, not made: the page costs the same before the settings row exists.
            "rules": services.offer_rules_for([organization.pk])[organization.pk],
            "deferred": deferred,
            # the day too: kept at 23:00, a time is offered at 08:00 tomorrow, not today
            "deferred_when": moment_relative(timezone.localtime(deferred["first"]))
            if deferred["first"]
            else "",
            "from_visit": from_visit,
            "query": request.GET.urlencode(),
        },
    )


@staff_required("owner", "administrator")
def waitlist_settings(request: HttpRequest) -> HttpResponse:
    """How long an offer waits for its payment, and the quiet hours, per organization."""
    organization = request_organization(request)
    current = services.waitlist_settings_get(organization)
    form = SettingsForm(
        request.POST or None,
        initial={
            "offer_minutes": current.offer_minutes,
            "quiet_from": current.quiet_from,
            "quiet_to": current.quiet_to,
        },
    )
    return settings_page(
        request,
        form,
        save=lambda cleaned: services.waitlist_settings_update(
            organization=organization, actor=request_actor(request), **cleaned
        ),
        saved_message=_("Waiting list settings saved."),
        success_url="waitlist:list",
        template="waitlist/settings.html",
    )


@staff_required()
def client_waitlist(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's "Waiting list" action: add the client, see their entries."""
    client = client_or_404(client_id)
    form = EntryForm(request.POST or None, client=client)
    if _create(request, form, client) is not None:
        messages.success(request, _("The client is on the waiting list."))
        return redirect("waitlist:client", client_id=client.pk)
    entries = list(selectors.entry_list(selectors.EntryFilters(client_id=client.pk)))
    for entry in entries:
        entry.offer = selectors.latest_offer(entry)  # type: ignore[attr-defined]
    return render(
        request, "waitlist/client.html", {"client": client, "form": form, "entries": entries}
    )


@staff_required()
@require_POST
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = Entry.objects.filter(pk=pk).first()
    if entry is None:
        raise Http404
    try:
        services.entry_remove(entry=entry, actor=request_actor(request))
        messages.success(request, _("Removed from the waiting list."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect("waitlist:list")


def offer_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the client opens from the offer message: the time, the price, the deadline and
    "Pay" (which opens the shared checkout `/pay/<token>/`); after it, what became of it."""
    if len(token) > 64:
        raise Http404
    with unscoped():
        offer = (
            Offer.objects.select_related("organization", "client", "staff", "service", "branch")
            .filter(token=token)
            .first()
        )
    if offer is None:
        raise Http404
    organization = offer.organization
    with public_scope(organization, public_language(request, organization)):
        error = ""
        actor = Actor.client_link(f"waitlist offer {offer.pk}")
        if request.method == "POST" and services.offer_is_open(offer):
            try:
                if offer.amount > 0:
                    payment = services.offer_payment(offer=offer, actor=actor)
                    return redirect(payment.payment_url)
                services.offer_book_free(offer=offer, actor=actor)
                return redirect(request.path)
            except DomainError as exc:
                error = exc.detail
            offer.refresh_from_db()
        attempt = Payment.objects.filter(pk=offer.payment_id).first() if offer.payment_id else None
        waiting_for_bank = bool(
            request.GET.get("return") == "1"
            and offer.status in (Offer.Status.OPEN, Offer.Status.EXPIRED)
            and attempt is not None
            and attempt.status in (Payment.Status.CREATED, Payment.Status.PENDING)
        )
        response = render(
            request,
            "waitlist/offer.html",
            {
                "offer": offer,
                "organization": organization,
                "title": services.offer_title(offer),
                "is_open": services.offer_is_open(offer),
                "lapsed": offer.status == Offer.Status.OPEN and offer.expires_at <= timezone.now(),
                "waiting_for_bank": waiting_for_bank,
                "balance": client_balance(offer.client)
                if offer.status == Offer.Status.TAKEN
                else None,
                "error": error,
            },
        )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def public_join(request: HttpRequest, org_slug: str) -> HttpResponse:
    """ "Notify me when a time is free" from the online booking page: the service (and the
    specialist, the day) come from the booking page's address; the client gives a name, a
    phone and the consent, and chooses the days."""
    with unscoped():
        organization = Organization.objects.filter(slug=org_slug).first()
    if organization is None:
        raise Http404
    with public_scope(organization, public_language(request, organization)):
        service_id = parse_public_id(request.GET.get("service"))
        service = (
            Service.objects.filter(pk=service_id, is_active=True, online_booking=True).first()
            if service_id is not None
            else None
        )
        if service is None:
            raise Http404
        staff_id = parse_public_id(request.GET.get("staff"))
        staff = User.objects.filter(pk=staff_id, is_active=True).first() if staff_id else None
        today = timezone.localdate()
        day = max(parse_date(request.GET.get("date"), today), today)
        form = PublicJoinForm(
            request.POST or None, initial={"date_from": day, "date_to": day + timedelta(days=6)}
        )
        done = False
        status = 200
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.public_join(
                    organization=organization,
                    service=service,
                    staff=staff,
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    name=data["name"],
                    phone=data["phone"],
                    consent=data["consent"],
                    ip=client_ip(request),
                )
                done = True
            except DomainError as exc:
                form_add_domain_error(form, exc)
                status = exc.status
        elif request.method == "POST":
            status = 400
        response = render(
            request,
            "waitlist/join.html",
            {
                "organization": organization,
                "service": service,
                "staff": staff,
                "form": form,
                "done": done,
                "back": reverse("schedule:book", args=[organization.slug])
                + f"?service={service.pk}",
            },
            status=status,
        )
    response["Cache-Control"] = "no-store"
    return response
