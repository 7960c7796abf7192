"""Staff pages (plans for online sale, button design, sales and activation, refunds, report,
the settings tab) and the buyer's public pages (storefront, plan, purchase). Views parse and
authorize, then call one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.accounts.models import Organization
from zapys.clients.selectors import client_list, client_or_404
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.filter_forms import filter_dates, period_form
from zapys.core.forms import DATE_INPUTS, form_add_domain_error
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.tenancy import public_scope, unscoped
from zapys.core.views import staff_required
from zapys.memberships.models import MembershipPlan
from zapys.online_sales import selectors, services
from zapys.online_sales.forms import (
    COLOR_FIELDS,
    AttachForm,
    ButtonForm,
    BuyForm,
    SaleFilterForm,
    SettingsForm,
)
from zapys.online_sales.models import BUTTON_LANGUAGES, OnlineSale, PlanOnline
from zapys.payments.checkout import LOST_STATUSES, checkout_context, checkout_submit
from zapys.payments.models import Payment

MANAGERS = ("owner", "administrator")

# --------------------------------------------------------------------------- settings tab


@staff_required("owner")
def settings_view(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    row = services.online_settings_get(organization)
    form = SettingsForm(request.POST or None, instance=row, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.online_settings_update(
                organization=organization, actor=request_actor(request), **form.cleaned_data
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Online sales settings saved."))
            return redirect("online_sales:settings")
    return render(
        request,
        "online_sales/settings.html",
        {
            "form": form,
            "settings": row,
            "storefront_url": selectors.storefront_url(organization),
            "example": services.commission_for(100_000, row.commission_percent),
        },
    )


# --------------------------------------------------------------------------- plans and buttons


@staff_required(*MANAGERS)
def plans_view(request: HttpRequest) -> HttpResponse:
    """ "Membership plans for online sale" (O2): a checkbox "allow online sale" per plan
    unlocks its button's text; one-off plans are shown disabled with the reason."""
    organization = request_organization(request)
    errors: dict[int, str] = {}
    if request.method == "POST":
        actor = request_actor(request)
        for plan, row in selectors.plans_with_online(organization):
            wanted = request.POST.get(f"sell_{plan.pk}") == "on"
            text = request.POST.get(f"text_{plan.pk}")
            if not wanted and row is None:
                continue
            if services.plan_sellable_reason(plan) and not wanted:
                continue
            try:
                services.plan_online_update(
                    plan=plan, actor=actor, sell_online=wanted, button_text=text
                )
            except DomainError as exc:
                errors[plan.pk] = exc.detail
        if not errors:
            messages.success(request, _("Online sale of the plans saved."))
            return redirect("online_sales:plans")
    rows = [
        {
            "plan": plan,
            "online": row,
            "reason": services.plan_sellable_reason(plan),
            "error": errors.get(plan.pk, ""),
            "terms": services.terms_text(plan),
            # the Ukrainian text's own default, whatever the staff page's language
            "placeholder": (row or PlanOnline(plan=plan)).default_label("uk"),
        }
        for plan, row in selectors.plans_with_online(organization)
    ]
    return render(
        request,
        "online_sales/plans.html",
        {
            "rows": rows,
            "settings": services.online_settings_get(organization),
            "storefront_url": selectors.storefront_url(organization),
        },
    )


@staff_required(*MANAGERS)
def button_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The button's design with a live preview and the snippet to paste (O2)."""
    organization = request_organization(request)
    plan = MembershipPlan.objects.for_org(organization).filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    row = services.plan_online_get(plan)
    if row is None or not row.sell_online:
        messages.warning(request, _("Allow the plan's online sale first."))
        return redirect("online_sales:plans")
    form = ButtonForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.plan_online_update(
                plan=plan,
                actor=request_actor(request),
                button_text=data.pop("button_text"),
                button_text_en=data.pop("button_text_en"),
                **data,
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The button is saved. Copy the new code to your site."))
            return redirect("online_sales:button", plan_id=plan.pk)
        row.refresh_from_db()
    url = selectors.plan_url(organization, plan.pk)
    return render(
        request,
        "online_sales/button.html",
        {
            "plan": plan,
            "row": row,
            "form": form,
            "buttons": _buttons(row, url),
            "css": selectors.button_css(row),
            "wide_fields": ("button_text", "button_text_en"),
            "colour_fields": COLOR_FIELDS,
        },
    )


def _buttons(row: PlanOnline, url: str) -> list[dict[str, str]]:
    """The plan's button for each language's pages, as saved: its preview and the snippet
    to paste, whose link opens the plan's page in the button's language."""
    titles = {"uk": _("Button for Ukrainian pages"), "en": _("Button for English pages")}
    fields = {"uk": "button_text", "en": "button_text_en"}
    buttons = []
    for language in BUTTON_LANGUAGES:
        link = f"{url}?lang={language}"
        buttons.append(
            {
                "language": language,
                "suffix": "" if language == "uk" else f"-{language}",
                "title": titles[language],
                "field": fields[language],
                "url": link,
                "label": row.label(language),
                "default": row.default_label(language),
                "snippet": selectors.embed_html(row, link, language),
            }
        )
    return buttons


# --------------------------------------------------------------------------- sales


@staff_required(*MANAGERS)
def sales_view(request: HttpRequest) -> HttpResponse:
    """Online payments and purchases (O4, O5): search, status, attach or refund."""
    form = SaleFilterForm(request.GET or None)
    filters = selectors.SaleFilters()
    if form.is_valid():
        filters = selectors.SaleFilters(
            status=form.cleaned_data["status"], search=form.cleaned_data["search"]
        )
    page = Paginator(selectors.sales_list(filters), 50).get_page(request.GET.get("page"))
    return render(request, "online_sales/sales.html", {"form": form, "page": page})


@staff_required(*MANAGERS)
def code_lookup(request: HttpRequest) -> HttpResponse:
    """The code box (typed, or a barcode scanner typing it and pressing Enter): the
    purchase's attach dialog, or a clear message."""
    code = request.GET.get("code", "")
    try:
        sale = services.sale_by_code(request_organization(request), code)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("online_sales:sales")
    return redirect("online_sales:sale", sale_id=sale.pk)


def _sale_or_404(sale_id: int) -> OnlineSale:
    sale = (
        OnlineSale.objects.select_related("plan", "client", "membership", "payment")
        .filter(pk=sale_id)
        .first()
    )
    if sale is None:
        raise Http404
    return sale


@staff_required(*MANAGERS)
def sale_view(request: HttpRequest, sale_id: int) -> HttpResponse:
    """One purchase: its details; while paid and not attached, the attach dialog (find the
    client by surname, name or phone, or create one from the buyer's details; groups; the
    validity start); the refund with the payment's details."""
    sale = _sale_or_404(sale_id)
    form = AttachForm(
        request.POST or None,
        plan=sale.plan,
        initial={"starts_on": timezone.localdate(), "new_client_name": ""},
    )
    if request.method == "POST" and sale.status == OnlineSale.Status.PAID and form.is_valid():
        data = form.cleaned_data
        actor = request_actor(request)
        try:
            if data["client_id"]:
                client = client_or_404(data["client_id"])
                services.online_sale_attach(
                    sale=sale,
                    client=client,
                    actor=actor,
                    starts_on=data["starts_on"],
                    groups=data["groups"],
                    lessons=data["lesson_ids"],
                )
            elif data["new_client_name"]:
                services.online_sale_attach_new_client(
                    sale=sale,
                    name=data["new_client_name"],
                    actor=actor,
                    starts_on=data["starts_on"],
                    groups=data["groups"],
                    lessons=data["lesson_ids"],
                )
            else:
                raise DomainError(_("Choose the client or enter a new client's name."))
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The membership is attached to the client."))
            return redirect("online_sales:sale", sale_id=sale.pk)
    query = request.GET.get("q", "").strip()
    found = list(client_list(search=query)[:10]) if query else []
    suggested = services.matching_clients(sale) if sale.status == OnlineSale.Status.PAID else []
    return render(
        request,
        "online_sales/sale.html",
        {
            "sale": sale,
            "form": form,
            "q": query,
            "found": found,
            "suggested": suggested,
            "groups": list(sale.groups.all()),
            **_lessons_context(sale, form, request_organization(request)),
        },
    )


def _lessons_context(
    sale: OnlineSale, form: AttachForm, organization: Organization
) -> dict[str, Any]:
    """The lessons the dialog offers for the groups and start date in the form (posted, or
    typed and sent by htmx as they change), with those already ticked."""
    if sale.status != OnlineSale.Status.PAID:
        return {"lessons": [], "lessons_asked": False}
    source = form.data if form.is_bound else {}
    group_ids = _ids(source.getlist("groups") if hasattr(source, "getlist") else [])
    starts_on = _date(source.get("starts_on")) if source else None
    starts_on = starts_on or timezone.localdate()
    plan = sale.plan
    ends_on = services.validity_end(
        starts_on=starts_on, value=plan.validity_value, unit=plan.validity_unit
    )
    lessons = selectors.lessons_to_book(
        organization, group_ids=group_ids, starts_on=starts_on, ends_on=ends_on
    )
    ticked = set(_ids(source.getlist("lesson_ids") if hasattr(source, "getlist") else []))
    return {
        "lessons": lessons,
        "lessons_asked": bool(group_ids),
        "ticked": ticked,
        "valid_until": ends_on,
    }


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


@staff_required(*MANAGERS)
@fragment_of("online_sales:sale")
def sale_lessons(request: HttpRequest, sale_id: int) -> HttpResponse:
    """The dialog's lessons list (htmx), for the groups and start date as they are now."""
    sale = _sale_or_404(sale_id)
    form = AttachForm(request.GET, plan=sale.plan)
    context = _lessons_context(sale, form, request_organization(request))
    return render(request, "online_sales/_lessons.html", context)


@staff_required(*MANAGERS)
@require_POST
def sale_refund(request: HttpRequest, sale_id: int) -> HttpResponse:
    sale = _sale_or_404(sale_id)
    try:
        sale = services.online_sale_refund(sale=sale, actor=request_actor(request))
    except DomainError as exc:
        messages.error(request, exc.detail)  # declined by the provider: nothing reversed
    else:
        if sale.status == OnlineSale.Status.REFUNDED:
            messages.success(request, _("Refunded to the buyer's card; the purchase is reversed."))
        else:
            messages.info(
                request, _("The refund is asked; it completes when the payment service confirms.")
            )
    return redirect("online_sales:sale", sale_id=sale.pk)


#: The report's period, under the parameter names its links use (`from`, `to`).
REPORT_PERIOD = period_form("from", "to")


@staff_required(*MANAGERS)
def report_view(request: HttpRequest) -> HttpResponse:
    """Online sales by plan and period with commission and refunds; purchases nobody attached
    for N days."""
    today = timezone.localdate()
    try:
        days = max(0, min(int(request.GET.get("days", 7)), 3650))
    except ValueError:
        days = 7
    period, dates = filter_dates(
        REPORT_PERIOD, request.GET, {"from": today.replace(day=1), "to": today}
    )
    date_from, date_to = dates["from"], dates["to"]
    assert date_from is not None and date_to is not None
    rows = selectors.report(date_from=date_from, date_to=date_to)
    totals = {
        "sold": sum(r.sold for r in rows),
        "amount": sum(r.amount for r in rows),
        "commission": sum(r.commission for r in rows),
        "commission_unattached": sum(r.commission_unattached for r in rows),
        "refunded_amount": sum(r.refunded_amount for r in rows),
    }
    return render(
        request,
        "online_sales/report.html",
        {
            "rows": rows,
            "totals": totals,
            "period": period,
            "days": days,
            "stale": list(selectors.unattached_older_than(days)[:100]),
        },
    )


def _date(text: str | None) -> Any:
    """A date as the styled form's input takes it (dd.mm.yyyy typed, ISO from links): the
    attach dialog's lesson list is asked with what the person typed."""
    from datetime import datetime

    for fmt in DATE_INPUTS:
        try:
            return datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None


# --------------------------------------------------------------------------- public pages


def _public_org(org_slug: str) -> Organization:
    with unscoped():
        organization = Organization.objects.filter(slug=org_slug).first()
    if organization is None:
        raise Http404
    return organization


def _language(request: HttpRequest, organization: Organization, preferred: str = "") -> str:
    """The buyer's choice on this page (`?lang=`), else their choice elsewhere (the
    language cookie), else `preferred` (the language they bought in), else the
    organization's language."""
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    if wanted in ("uk", "en"):
        return wanted
    return public_language(request, organization, preferred)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def storefront(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every plan on sale, each with its button (O2)."""
    organization = _public_org(org_slug)
    language = _language(request, organization)
    with public_scope(organization, language):
        settings = services.online_settings_get(organization)
        rows = list(selectors.plans_on_sale(organization)) if settings.enabled else []
        return _no_store(
            render(
                request,
                "online_sales/storefront.html",
                {
                    "organization": organization,
                    # the text in the page's language (an English text when the business
                    # gave one, else its own, else "Buy “<plan>”" translated)
                    "rows": [
                        (
                            row,
                            selectors.button_css(row),
                            row.label(language),
                            services.terms_text(row.plan),
                        )
                        for row in rows
                    ],
                    "enabled": settings.enabled,
                    "lang": language,
                    # the buyer pays the price plus this: said before they choose (O3 shows it
                    # as its own line on the plan's page)
                    "commission_percent": settings.commission_percent,
                    "branch": selectors.shop_branch(settings),
                },
            )
        )


def plan_page(request: HttpRequest, org_slug: str, plan_id: int) -> HttpResponse:
    """What the button opens (O3): the plan and the price with the commission as its own
    line, the buyer's e-mail and phone; then the purchase's page with the provider's form."""
    organization = _public_org(org_slug)
    language = _language(request, organization)
    with public_scope(organization, language):
        settings = services.online_settings_get(organization)
        row = (
            selectors.plans_on_sale(organization).filter(plan_id=plan_id).first()
            if settings.enabled
            else None
        )
        if row is None:
            return _no_store(
                render(
                    request,
                    "online_sales/plan.html",
                    {
                        "organization": organization,
                        "row": None,
                        "lang": language,
                        "branch": selectors.shop_branch(settings),
                    },
                    status=404,
                )
            )
        plan = row.plan
        form = BuyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                sale = services.online_sale_start(
                    organization=organization,
                    plan=plan,
                    email=form.cleaned_data["email"],
                    phone=form.cleaned_data["phone"],
                    actor=Actor.client_link("online sale"),
                    language=language,
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                return redirect("online_sales:sale_page", token=sale.token)
        commission = services.commission_for(plan.price, settings.commission_percent)
        return _no_store(
            render(
                request,
                "online_sales/plan.html",
                {
                    "organization": organization,
                    "row": row,
                    "plan": plan,
                    "form": form,
                    "commission": commission,
                    "total": plan.price + commission,
                    "terms": services.terms_text(plan),
                    "currency": organization.currency,
                    "lang": language,
                    "branch": selectors.shop_branch(settings),
                },
            )
        )


def sale_page(request: HttpRequest, token: str) -> HttpResponse:
    """The purchase (O3): the checkout while it awaits payment; back from the provider it
    waits for the confirmation (the callback may come first or later), then shows the
    membership and the activation code — the same code on every reload."""
    if len(token) > 64:
        raise Http404
    with unscoped():
        sale = OnlineSale.objects.select_related("organization", "plan").filter(token=token).first()
    if sale is None:
        raise Http404
    organization = sale.organization
    language = _language(request, organization, sale.language)
    with public_scope(organization, language):
        payment = (
            Payment.objects.select_related("account", "branch").filter(pk=sale.payment_id).first()
            if sale.payment_id
            else None
        )
        if payment is not None:
            payment.organization = organization
        pending = sale.status == OnlineSale.Status.PENDING
        submitted = None
        if request.method == "POST" and pending and payment is not None:
            submitted = checkout_submit(
                request, payment, actor=Actor.client_link(f"online sale {sale.pk}")
            )
            if submitted.done:
                return redirect("online_sales:sale_page", token=sale.token)
        lost = payment is None or payment.status in LOST_STATUSES
        returned = request.GET.get("return") == "1" and pending and not lost
        checkout = None
        if pending and not returned and payment is not None:
            checkout = checkout_context(payment, language=language, submitted=submitted)
        plan = sale.plan
        return _no_store(
            render(
                request,
                "online_sales/sale_page.html",
                {
                    "organization": organization,
                    "sale": sale,
                    "plan": plan,
                    "terms": services.terms_text(plan),
                    "checkout": checkout,
                    "returned": returned,
                    "lang": language,
                    "storefront": reverse("online_sales:storefront", args=[organization.slug]),
                    # the contacts of the branch the money went to, as on the payment page
                    "branch": payment.branch
                    if payment is not None and payment.branch_id
                    else selectors.shop_branch(services.online_settings_get(organization)),
                },
            )
        )
