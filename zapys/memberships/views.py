"""Staff pages: plans, the client's memberships tab, sell / renew / correct / virtual visits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.clients.selectors import client_or_404
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_branch, request_organization
from zapys.core.money import money_input
from zapys.core.views import staff_required
from zapys.ledger import selectors as ledger_selectors
from zapys.ledger.views import (
    MANAGERS,
    client_card_url,
)
from zapys.memberships import selectors, services
from zapys.memberships.forms import PlanForm, RenewForm, SellForm, ValidityForm, VisitsForm
from zapys.memberships.models import ClientMembership, MembershipPlan

# --- Plans ----------------------------------------------------------------------------


@staff_required()
def plans(request: HttpRequest) -> HttpResponse:
    show_archived = request.GET.get("archived") == "1"
    return render(
        request,
        "memberships/plans.html",
        {
            "plans": selectors.plans_list(include_archived=show_archived),
            "show_archived": show_archived,
            "can_manage": request.user.role in MANAGERS,  # type: ignore[union-attr]
        },
    )


def _plan_initial(plan: MembershipPlan) -> dict[str, Any]:

    return {
        "name": plan.name,
        "price": money_input(plan.price),
        "validity_value": plan.validity_value,
        "validity_unit": plan.validity_unit,
        "visits": plan.visits,
        "kind": plan.kind,
        "separate_account": plan.separate_account,
        "covers_everything": plan.covers_everything,
        "services": list(plan.services.all()),
        "groups": list(plan.groups.all()),
        "subjects": list(plan.subjects.all()),
        "description": plan.description,
    }


@staff_required(*MANAGERS)
def plan_edit(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    plan = get_object_or_404(MembershipPlan, pk=plan_id) if plan_id else None
    form = PlanForm(request.POST or None, initial=_plan_initial(plan) if plan else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        m2m: dict[str, Any] = {k: list(data.pop(k)) for k in ("services", "groups", "subjects")}
        try:
            if plan is None:
                services.membership_plan_create(
                    organization=request_organization(request),
                    actor=request_actor(request),
                    **m2m,
                    **data,
                )
            else:
                services.membership_plan_update(
                    plan=plan, actor=request_actor(request), **m2m, **data
                )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The plan has been saved."))
            return redirect("memberships:plans")
    return render(request, "memberships/plan_form.html", {"form": form, "plan": plan})


@staff_required(*MANAGERS)
@require_POST
def plan_archive(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(MembershipPlan, pk=plan_id)
    services.membership_plan_archive(
        plan=plan, actor=request_actor(request), archived=not plan.is_archived
    )
    return redirect("memberships:plans")


# --- Client memberships -----------------------------------------------------------------


def _tab_context(request: HttpRequest, client: Any) -> dict[str, Any]:
    today = timezone.localdate()
    # The groups a membership is limited to, in one query for the whole list.
    history = list(selectors.client_memberships(client=client).prefetch_related("groups")[:200])
    return {
        "client": client,
        "active": [m for m in history if m.status == "active" and m.ends_on >= today],
        "history": history,
        "today": today,
        "balance": ledger_selectors.client_balance(client),
        "currency": client.organization.currency,
    }


@staff_required()
def client_memberships(request: HttpRequest, client_id: int) -> HttpResponse:
    """The card's "Memberships" tab (htmx partial) or a page around it."""
    client = client_or_404(client_id)
    context = _tab_context(request, client)
    if getattr(request, "htmx", False):
        return render(request, "memberships/_client_memberships.html", context)
    return render(request, "memberships/client_memberships.html", context)


@staff_required()
def sell(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id)
    branch = request_branch(request)
    form = SellForm(
        request.POST or None,
        payment_types=ledger_selectors.payment_types_active(branch),
        plans=MembershipPlan.objects.filter(is_archived=False),
        initial={"plan": request.GET.get("plan")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        payment_type = d.get("payment_type")
        try:
            services.membership_sell(
                client=client,
                plan=d["plan"],
                mode=d["mode"],
                starts_on=d["starts_on"],
                branch=payment_type.branch if payment_type else branch,
                payment_type=payment_type,
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The membership has been sold."))
            return redirect(_memberships_url(client.pk))
    return render(request, "memberships/sell.html", {"form": form, "client": client})


def _memberships_url(client_id: int) -> str:
    return client_card_url(client_id, "memberships", fallback="memberships:client_memberships")


@staff_required()
def manage(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Renew, correct the validity, add virtual visits, cancel — one page, four forms."""
    membership = get_object_or_404(
        ClientMembership.objects.select_related("client", "plan"), pk=membership_id
    )
    action = request.POST.get("action", "")
    branch = request_branch(request)
    renew_form = RenewForm(
        request.POST if action == "renew" else None,
        payment_types=ledger_selectors.payment_types_active(branch),
        prefix="renew",
    )
    validity_form = ValidityForm(
        request.POST if action == "validity" else None,
        initial={"starts_on": membership.starts_on, "ends_on": membership.ends_on},
        prefix="validity",
    )
    visits_form = VisitsForm(request.POST if action == "visits" else None, prefix="visits")
    actor = request_actor(request)
    done = False
    try:
        if action == "renew" and renew_form.is_valid():
            d = renew_form.cleaned_data
            pt = d.get("payment_type")
            services.membership_renew(
                membership=membership,
                mode=d["mode"],
                from_end=d["start"] == "end",
                branch=pt.branch if pt else branch,
                payment_type=pt,
                actor=actor,
            )
            messages.success(request, _("The membership has been renewed."))
            done = True
        elif action == "validity" and validity_form.is_valid():
            services.membership_correct_validity(
                membership=membership, actor=actor, **validity_form.cleaned_data
            )
            messages.success(request, _("The validity has been corrected."))
            done = True
        elif action == "visits" and visits_form.is_valid():
            services.membership_add_virtual_visits(
                membership=membership, actor=actor, **visits_form.cleaned_data
            )
            messages.success(request, _("Virtual visits have been added."))
            done = True
        elif action == "cancel":
            if request.user.role not in MANAGERS:  # type: ignore[union-attr]
                raise DomainError(_("Only an owner or an administrator can cancel memberships."))
            services.membership_cancel(
                membership=membership, actor=actor, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("The membership has been cancelled."))
            done = True
    except DomainError as exc:
        target = {"renew": renew_form, "validity": validity_form, "visits": visits_form}.get(action)
        if target is not None:
            form_add_domain_error(target, exc)
        else:
            messages.error(request, exc.detail)
    if done:
        return redirect(_memberships_url(membership.client_id))
    return render(
        request,
        "memberships/manage.html",
        {
            "membership": membership,
            "renew_form": renew_form,
            "validity_form": validity_form,
            "visits_form": visits_form,
            "usages": list(membership.usages.all()[:100]),
            "payment_cancelled": selectors.membership_payment_cancelled(membership),
        },
    )
