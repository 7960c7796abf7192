"""Staff pages of the checkout: the panel on the visit card (calendar modal and visit page,
loaded by htmx from the schedule's card, which names no checkout code), and the unpaid
visits of a period. Views parse and authorize; the service decides and writes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zapys.accounts.models import Branch, User
from zapys.accounts.selectors import accessible_branches
from zapys.checkout import selectors, services
from zapys.checkout.forms import SplitForm, UnpaidFilterForm
from zapys.checkout.models import Checkout
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_branch, request_organization
from zapys.core.money import format_money as _format_money
from zapys.core.tenancy import organization_zone
from zapys.core.views import staff_required
from zapys.schedule.views.common import visit_for

#: What the one-click buttons take: the whole amount due this way.
ONE_CLICK = {"card": services.CARD, "cash": services.CASH, "link": services.ONLINE_LINK}


def _money(amount: int, currency: str) -> str:
    """Money in the language of the page or message being written."""
    return _format_money(amount, currency, (get_language() or "uk")[:2])


def _client_id(request: HttpRequest) -> int | None:
    raw = request.POST.get("client_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _done_text(checkout: Checkout, currency: str, link_sent: bool) -> str:
    """What the desk is told after the click: a settle with nothing to take said "Paid:
    0,00 грн", as if the visit were free; it says what covered the price instead."""
    if link_sent:
        return _("Payment link sent.")
    if checkout.paid_total:
        return _("Paid: %(amount)s.") % {"amount": _money(checkout.paid_total, currency)}
    if checkout.covered_membership:
        return _("Closed: a membership visit was used.")
    if checkout.on_credit:
        return _("Closed on credit: the client owes %(amount)s.") % {
            "amount": _money(checkout.on_credit, currency)
        }
    if checkout.covered_balance:
        return _("Closed: %(amount)s charged to the client's balance.") % {
            "amount": _money(checkout.covered_balance, currency)
        }
    if checkout.covered_prepayment:
        return _("Closed: the prepayment of %(amount)s counts.") % {
            "amount": _money(checkout.covered_prepayment, currency)
        }
    return _("Closed: nothing to pay.")


@staff_required()
@fragment_of("schedule:visit_detail")
def visit_panel(request: HttpRequest, visit_id: int) -> HttpResponse:
    """GET: every participant's price, cover and amount due, with the ways to pay. POST:
    take payment for one participant (`action`: card / cash / link for the whole amount
    due, settle when nothing is due, split with the form's amounts). A plain GET goes to
    the visit's card, which holds the panel (`fragment_of`)."""
    visit = visit_for(request, visit_id)
    done: dict[int, str] = {}
    failed: dict[int, str] = {}
    split_forms: dict[int, SplitForm] = {}
    if request.method == "POST":
        client_id = _client_id(request)
        action = request.POST.get("action", "")
        payments: list[services.PaymentIn] | None = None
        try:
            summary = services.checkout_summary(visit, client_id)
            key = summary.attendance.client_id
            if action in ONE_CLICK:
                payments = [services.PaymentIn(ONE_CLICK[action], summary.due)]
            elif action == "settle":
                payments = []
            elif action == "split":
                form = SplitForm(request.POST, prefix=f"p{key}")
                split_forms[key] = form
                if form.is_valid():
                    payments = [services.PaymentIn(m, a) for m, a in form.payments()]
            if payments is not None:
                result = services.visit_checkout(
                    visit=visit,
                    client_id=summary.attendance.client_id,
                    payments=payments,
                    actor=request_actor(request),
                )
                done[key] = _done_text(
                    result.checkout, visit.organization.currency, bool(result.payment_url)
                )
                split_forms.pop(key, None)
                # the rest of the card (status, attendance) changed too: the panel's answer
                # reloads the card, which shows this message at its top
                messages.success(request, done[key])
        except DomainError as exc:
            key = client_id or (visit.client_id or 0)
            if key in split_forms:
                form_add_domain_error(split_forms[key], exc)
            else:
                failed[key] = exc.detail
        if not request.htmx and not failed and not split_forms:  # type: ignore[attr-defined]
            return redirect("schedule:visit_detail", visit_id=visit.pk)
    rows = []
    for summary in services.checkout_summaries(visit):
        key = summary.attendance.client_id
        rows.append(
            {
                "s": summary,
                "form": split_forms.get(key) or SplitForm(prefix=f"p{key}"),
                "done": done.get(key, ""),
                "error": failed.get(key, ""),
            }
        )
    response = render(
        request,
        "checkout/_panel.html",
        {
            "visit": visit,
            "rows": rows,
            "currency": visit.organization.currency,
            "card_changed": bool(done),
        },
    )
    if done:
        # the visit's status moved (the client arrived): the calendar behind the modal
        # redraws, as after the card's other actions
        response["HX-Trigger"] = "calendarChanged"
    return response


@staff_required()
def unpaid(request: HttpRequest) -> HttpResponse:
    """The visits still to pay: of a period (today by default; the dashboard card's link),
    a branch (the header's by default; "all my branches") and a specialist (a specialist
    sees their own), with the totals of what is due. A fixed number of queries, whatever
    the count of rows (the memberships: once per service and day, `dues_of_unpaid`)."""
    organization = request_organization(request)
    user: User = request.user  # type: ignore[assignment]
    branches = accessible_branches(user)
    own_only = user.role == User.Role.SPECIALIST
    staff_qs = User.objects.for_org(organization).filter(is_active=True)
    if own_only:
        staff_qs = staff_qs.filter(pk=user.pk)
    form_kwargs = {
        "branches": Branch.objects.for_org(organization)
        .filter(pk__in=[b.pk for b in branches])
        .order_by("name", "id"),
        "staff": staff_qs.order_by("first_name", "last_name", "id"),
    }
    bound = any(name in request.GET for name in UnpaidFilterForm.base_fields)
    header_branch = request_branch(request)
    form = UnpaidFilterForm(request.GET if bound else None, **form_kwargs)
    now = timezone.now()
    today = now.astimezone(organization_zone(organization)).date()
    date_from, date_to = form.days(today)
    branch: Branch | None = header_branch
    staff_id = None
    if bound and form.is_valid():
        branch = form.cleaned_data.get("branch")
        staff_id = form.cleaned_data["staff"].pk if form.cleaned_data.get("staff") else None
    if not bound:
        form = UnpaidFilterForm(
            initial={
                "period": "today",
                "date_from": today,
                "date_to": today,
                "branch": header_branch.pk if header_branch else None,
            },
            **form_kwargs,
        )
    if own_only:
        staff_id = user.pk
    attendances = list(
        selectors.unpaid_between(
            organization=organization,
            date_from=date_from,
            date_to=date_to,
            branch_ids=[branch.pk] if branch else [b.pk for b in branches],
            staff_id=staff_id,
            now=now,
        )
    )
    dues = services.dues_of_unpaid(attendances, organization=organization)
    for a in attendances:
        a.due = dues[a.pk]  # type: ignore[attr-defined]  # left to take after the covers
    # A visit a membership, the balance or a prepayment covers whole is not unpaid: nothing
    # to take. It still waits for its checkout ("Settle: nothing is due") to spend the
    # cover, so it is listed apart, under what it is, not counted with the unpaid.
    covered = [a for a in attendances if dues[a.pk] <= 0]
    attendances = [a for a in attendances if dues[a.pk] > 0]
    return render(
        request,
        "checkout/unpaid.html",
        {
            "form": form,
            "attendances": attendances,
            "covered": covered,
            "date_from": date_from,
            "date_to": date_to,
            "one_day": date_from == date_to,
            "is_today": date_from == date_to == today,
            "branch": branch,
            "total": sum(dues.values()),
            "total_price": sum(a.visit.price for a in attendances),
            "currency": organization.currency,
        },
    )
