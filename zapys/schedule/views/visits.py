"""A visit's pages: the new-visit dialog (with its client picker), the visit card and its
actions (status, cancel, move, attendance marks), and the new-lesson page. Views parse and
authorise, then call one service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.catalog.models import Service
from zapys.clients.models import Client
from zapys.clients.phones import normalize_phone, phone_search_digits
from zapys.clients.services import client_create, client_find_or_create
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_branch, request_organization
from zapys.core.tenancy import organization_zone
from zapys.core.views import staff_required
from zapys.schedule import hooks, selectors, services
from zapys.schedule.actions import attendance_actions_for
from zapys.schedule.forms import (
    LessonForm,
    RescheduleForm,
    VisitForm,
    parse_public_id,
)
from zapys.schedule.models import Attendance, Visit, VisitStatus
from zapys.schedule.services.attendance import marks_open
from zapys.schedule.views.common import (
    as_org_time,
    closed_modal,
    staff_choices,
    visit_for,
)


@staff_required()
def visit_new(request: HttpRequest) -> HttpResponse:
    """The quick-create modal (opened from an empty calendar slot)."""
    org = request_organization(request)
    branch = request_branch(request, required=True)
    initial: dict[str, Any] = {}
    if request.GET.get("staff", "").isdigit():
        initial["staff"] = int(request.GET["staff"])
    if request.GET.get("at"):
        initial["starts_at"] = request.GET["at"]
    # «Записати» on the client card: the client already chosen — only one of this
    # organization's clients (another's id, or a deleted client, is ignored: the form asks)
    raw_client = request.GET.get("client", "")
    for_client = None
    if raw_client.isdigit() and len(raw_client) < 19:
        for_client = Client.objects.for_org(org).filter(pk=raw_client).alive().first()
        if for_client is not None:
            initial["client"] = for_client.pk
    form = VisitForm(
        request.POST or None,
        initial=initial,
        organization=org,
        staff_qs=staff_choices(org, branch),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = data["client"] or _new_client(request, data)
            price = data.get("price")
            starts_at = as_org_time(data["starts_at"], org)
            visit = services.visit_create(
                organization=org,
                client=client,
                staff=data["staff"],
                service=data["service"],
                branch=branch,
                starts_at=starts_at,
                price=int(price * 100) if isinstance(price, Decimal) else None,
                comment=data.get("comment") or "",
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            # Outside the specialist's hours is allowed (overtime, a favour) but said: the
            # card repeats it for as long as it holds; a full page gets it as a message.
            hours_warning = selectors.visit_hours_warning(visit)
            if hours_warning and not request.htmx:  # type: ignore[attr-defined]
                messages.warning(request, hours_warning)
            # A specialist who does not perform the service: allowed (a stand-in), said.
            service_warning = selectors.visit_service_warning(visit)
            if service_warning and not request.htmx:  # type: ignore[attr-defined]
                messages.warning(request, service_warning)
            if getattr(visit, "in_past", False):
                # Say so where the person is looking: the dialog turns into the new visit's
                # card with the warning (a message queued for the next page would surface
                # later, out of context).
                local_start = visit.starts_at.astimezone(organization_zone(org))
                messages.warning(
                    request,
                    _("The visit is created, but note: it starts in the past (%(when)s).")
                    % {"when": f"{local_start:%d.%m.%Y %H:%M}"},
                )
            warned = getattr(visit, "in_past", False) or bool(hours_warning or service_warning)
            if warned and request.htmx:  # type: ignore[attr-defined]
                response = visit_detail(request, visit.pk)
                response["HX-Trigger-After-Swap"] = "calendarChanged"
                return response
            if request.htmx:  # type: ignore[attr-defined]
                return closed_modal()
            local_day = visit.starts_at.astimezone(organization_zone(org)).date()
            return redirect(f"{reverse('schedule:calendar')}?date={local_day}")
    return render(
        request,
        "schedule/_visit_form.html" if request.htmx else "schedule/visit_form_page.html",  # type: ignore[attr-defined]
        {
            "form": form,
            "branch": branch,
            "for_client": for_client,
            # the form shown again (a refusal, or «Записати» with the specialist chosen)
            # says it too, not only once a select changes
            "service_warning": _chosen_service_warning(
                request, form["staff"].value(), form["service"].value()
            ),
        },
    )


@staff_required()
@fragment_of("schedule:calendar")
def visit_service_check(request: HttpRequest) -> HttpResponse:
    """The new-visit and move forms' warning, asked as their specialist or service changes
    (htmx): «Ольга Ткачук не виконує «Стрижка жіноча».» before the visit is saved, not only
    on its card afterwards. Empty when the specialist performs it, or either is not chosen
    (or not one of this organization's)."""
    warning = _chosen_service_warning(request, request.GET.get("staff"), request.GET.get("service"))
    return render(request, "schedule/_service_warning.html", {"service_warning": warning})


def _chosen_service_warning(request: HttpRequest, staff_value: Any, service_value: Any) -> str:
    """`selectors.service_staff_warning` for the ids a form holds: only this organization's
    active staff and services count; anything else (empty, typed, another's) says nothing."""
    staff_id = parse_public_id(str(staff_value or ""))
    service_id = parse_public_id(str(service_value or ""))
    if staff_id is None or service_id is None:
        return ""
    org = request_organization(request)
    staff = staff_choices(org, request_branch(request, required=True)).filter(pk=staff_id).first()
    service = (
        Service.objects.for_org(org)
        .filter(pk=service_id, is_active=True)
        .prefetch_related("specialists")
        .first()
    )
    return selectors.service_staff_warning(service, staff)


@staff_required()
def client_book(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's «Записати»: the new-visit form with this client chosen (a client
    of another organization is not found)."""
    client = get_object_or_404(
        Client.objects.for_org(request_organization(request)).alive(), pk=client_id
    )
    return redirect(f"{reverse('schedule:visit_new')}?client={client.pk}")


def _new_client(request: HttpRequest, data: dict[str, Any]) -> Client:
    """The client typed into the dialog (found by phone when there is one). The clients
    service names its inputs `name` and `phone`; this form calls them `new_client_*`, so
    its refusals are renamed to land on those fields."""
    organization = request_organization(request)
    try:
        phone = normalize_phone(data.get("new_client_phone") or "", field="new_client_phone")
        if phone:
            client, _created = client_find_or_create(
                organization=organization,
                name=data["new_client_name"].strip(),
                phone=phone,
                actor=request_actor(request),
            )
            return client
        return client_create(
            organization=organization, name=data["new_client_name"], actor=request_actor(request)
        )
    except DomainError as exc:
        for error in exc.errors:
            if error.get("field") in ("name", "phone"):
                error["field"] = f"new_client_{error['field']}"
        raise


@staff_required()
@fragment_of("schedule:calendar")
def client_search(request: HttpRequest) -> HttpResponse:
    """The new-visit dialog's client picker: at most CLIENT_PICKER_LIMIT matches of the
    staff member's organization (htmx partial), plus "create a new client" with the text."""

    query = " ".join((request.GET.get("client_q") or request.GET.get("q") or "").split())[:100]
    found = selectors.client_picker(search=query)
    limit = selectors.CLIENT_PICKER_LIMIT
    looks_like_phone = len(phone_search_digits(query)) >= 5
    return render(
        request,
        "schedule/_client_options.html",
        {
            "query": query,
            "clients": found[:limit],
            "more": len(found) > limit,
            "new_name": "" if looks_like_phone or "@" in query else query,
            "new_phone": query if looks_like_phone else "",
        },
    )


@staff_required()
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request, visit_id)
    statuses = [
        s
        for s in services.visit_statuses_ensure(organization=request_organization(request)).values()
        if not s.is_system and s.is_active
    ]
    statuses.sort(key=lambda s: (s.order, s.pk))
    now = timezone.now()
    marks = marks_open(visit, now)
    if not marks:
        # «Відмітити прихід» / «неявку» from the visit's day only, as the service accepts them
        statuses = [s for s in statuses if not (s.counts_as_came or s.is_no_show)]
    attendances = list(visit.attendances.select_related("client"))
    # a lesson's marks the service accepts, read from these rows (no query per participant)
    visit.participant_count = sum(1 for a in attendances if a.state != "cancelled")  # type: ignore[attr-defined]
    for a in attendances:
        a.actions = attendance_actions_for(visit, a, marks_open=marks)  # type: ignore[attr-defined]
    form = RescheduleForm(
        initial={
            "starts_at": visit.starts_at.astimezone(organization_zone(visit.organization)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "staff": visit.staff_id,
        },
        staff_qs=staff_choices(request_organization(request), visit.branch),
        lesson=visit.kind == Visit.Kind.LESSON,
    )
    return render(
        request,
        "schedule/_visit_card.html" if request.htmx else "schedule/visit_page.html",  # type: ignore[attr-defined]
        {
            "visit": visit,
            "in_past": visit.starts_at < now,
            "money_due": visit_money_due(visit, attendances, now),
            "hours_warning": selectors.visit_hours_warning(visit),
            "service_warning": selectors.visit_service_warning(visit),
            "statuses": statuses,
            "attendances": attendances,
            "form": form,
        },
    )


def visit_money_due(visit: Visit, attendances: list[Attendance], now: Any) -> bool:
    """The visit is to be paid for now, so its card shows the checkout (docs/architecture.md,
    "The visit card's money"): it is today or past (in the organization's calendar), or its
    client arrived (a status that counts as came, a participant marked attended). A visit
    days ahead shows its prepayment only: a checkout there said «До сплати 0,00» under
    «Передоплата: очікується», two answers to one question."""
    if marks_open(visit, now):
        return True
    if visit.status.counts_as_came:
        return True
    return any(a.state == Attendance.State.ATTENDED for a in attendances)


def _after_action(request: HttpRequest, visit: Visit) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        response = visit_detail(request, visit.pk)
        response["HX-Trigger"] = "calendarChanged"
        return response
    return redirect("schedule:visit_detail", visit_id=visit.pk)


def _error_response(request: HttpRequest, visit: Visit, exc: DomainError) -> HttpResponse:
    messages.error(request, exc.detail)
    if request.htmx:  # type: ignore[attr-defined]
        response = visit_detail(request, visit.pk)
        return response
    return redirect("schedule:visit_detail", visit_id=visit.pk)


@staff_required()
@require_POST
def visit_status(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request, visit_id)
    status = (
        VisitStatus.objects.for_org(request_organization(request))
        .filter(pk=request.POST.get("status_id") or 0)
        .first()
    )
    try:
        if status is None:
            raise DomainError(_("Unknown status."), field="status_id")
        services.visit_status_set(visit=visit, status=status, actor=request_actor(request))
    except DomainError as exc:
        return _error_response(request, visit, exc)
    return _after_action(request, visit)


@staff_required()
@require_POST
def visit_cancel(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request, visit_id)
    choose_at = hooks.visit_cancel_page(visit)  # the visit holds money: staff choose first
    if choose_at:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(headers={"HX-Redirect": choose_at})
        return redirect(choose_at)
    try:
        services.visit_cancel(visit=visit, actor=request_actor(request))
    except DomainError as exc:
        return _error_response(request, visit, exc)
    return _after_action(request, visit)


@staff_required()
@require_POST
def visit_reschedule(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = visit_for(request, visit_id)
    form = RescheduleForm(
        request.POST, staff_qs=staff_choices(request_organization(request), visit.branch)
    )
    try:
        if not form.is_valid():
            raise DomainError(_("Enter a valid date and time."), field="starts_at")
        starts_at = as_org_time(form.cleaned_data["starts_at"], visit.organization)
        services.visit_reschedule(
            visit=visit,
            starts_at=starts_at,
            staff=form.cleaned_data.get("staff"),
            actor=request_actor(request),
        )
    except DomainError as exc:
        return _error_response(request, visit, exc)
    return _after_action(request, visit)


@staff_required()
@require_POST
def attendance_set(request: HttpRequest, attendance_id: int) -> HttpResponse:
    attendance = get_object_or_404(
        Attendance.objects.for_org(request_organization(request)).select_related("visit"),
        pk=attendance_id,
    )
    visit = visit_for(request, attendance.visit_id)
    try:
        services.attendance_mark(
            attendance=attendance, state=request.POST.get("state", ""), actor=request_actor(request)
        )
    except DomainError as exc:
        return _error_response(request, visit, exc)
    if request.POST.get("from") == "journal":
        return redirect(f"{reverse('schedule:journal')}?date={request.POST.get('date', '')}")
    return _after_action(request, visit)


@staff_required()
def lesson_new(request: HttpRequest) -> HttpResponse:
    org = request_organization(request)
    branch = request_branch(request, required=True)
    form = LessonForm(request.POST or None, organization=org, branch=branch)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        starts_at = as_org_time(d["starts_at"], org)
        try:
            lessons = services.lesson_create(
                organization=org,
                branch=branch,
                staff=d["staff"],
                starts_at=starts_at,
                duration_minutes=d["duration_minutes"],
                group=d.get("group"),
                subject=d.get("subject"),
                room=d.get("room"),
                capacity=d.get("capacity"),
                repeat_until=d.get("repeat_until"),
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)s lessons created.") % {"n": len(lessons)})
            return redirect(f"{reverse('schedule:calendar')}?date={starts_at.date()}")
    return render(request, "schedule/lesson_form.html", {"form": form, "branch": branch})
