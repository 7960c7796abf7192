"""Staff pages: the client's payments tab, add entry, payments report (+CSV/XLSX),
financial operations, sales of the day, finance settings. Views parse, services write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import unquote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zapys.accounts.models import Branch
from zapys.clients.selectors import client_or_404
from zapys.core import exports
from zapys.core.exceptions import DomainError
from zapys.core.filter_forms import DayForm, PeriodForm, filter_dates
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_branch
from zapys.core.money import to_decimal_string
from zapys.core.views import staff_required
from zapys.ledger import selectors, services
from zapys.ledger.forms import (
    ArticleForm,
    CashDeskForm,
    EntryForm,
    OperationForm,
    PaymentTypeForm,
    ReportForm,
)
from zapys.ledger.models import Account, CashDesk, Entry, FinanceArticle, PaymentType

MANAGERS = ("owner", "administrator")
# The htmx event sent after a change of a client's balance; the client card listens to it.
BALANCE_CHANGED = "balanceChanged"


def client_card_url(client_id: int, tab: str = "", fallback: str = "ledger:client_entries") -> str:
    """The client card if the clients app has one, else our own tab page."""
    try:
        url = reverse("clients:detail", kwargs={"client_id": client_id})
        return f"{url}?tab={tab}" if tab else url
    except NoReverseMatch:
        return reverse(fallback, kwargs={"client_id": client_id})


# --- Client payments tab ----------------------------------------------------------------


def _entries_context(request: HttpRequest, client: Any) -> dict[str, Any]:
    page = Paginator(selectors.client_entries(client=client), 50).get_page(request.GET.get("page"))
    return {
        "client": client,
        "page": page,
        "balance": selectors.client_balance(client),
        "accounts": selectors.account_balances_for_client(client),
        "can_cancel": request.user.role in MANAGERS,  # type: ignore[union-attr]
        "currency": client.organization.currency,
    }


@staff_required()
def client_entries(request: HttpRequest, client_id: int) -> HttpResponse:
    """The card's "Payments" tab (htmx partial) or, opened directly, a page around it."""
    client = client_or_404(client_id)
    context = _entries_context(request, client)
    if getattr(request, "htmx", False):
        return render(request, "ledger/_client_entries.html", context)
    return render(request, "ledger/client_entries.html", context)


@staff_required(*MANAGERS)
@require_POST
def entry_cancel(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(Entry.objects.select_related("client"), pk=entry_id)
    # htmx URI-encodes a non-ASCII prompt answer to fit it into a header.
    reason = unquote(request.headers.get("HX-Prompt", "")) or request.POST.get("reason", "")
    changed = False
    try:
        services.entry_cancel(entry=entry, actor=request_actor(request), reason=reason[:500])
        changed = True
    except DomainError as exc:
        messages.error(request, exc.detail)
    if getattr(request, "htmx", False):
        response = render(
            request, "ledger/_client_entries.html", _entries_context(request, entry.client)
        )
        if changed:
            # Whatever else shows this client's balance (the card's header) reloads it.
            response["HX-Trigger"] = BALANCE_CHANGED
        return response
    return redirect(client_card_url(entry.client_id, "payments"))


@staff_required()
def client_entry_new(request: HttpRequest, client_id: int) -> HttpResponse:
    client = client_or_404(client_id)
    branch = request_branch(request)
    form = EntryForm(
        request.POST or None,
        payment_types=selectors.payment_types_active(branch),
        accounts=Account.objects.filter(client=client, kind=Account.Kind.MEMBERSHIP),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payment_type = data.get("payment_type")
        try:
            services.entry_record_by_staff(
                client=client,
                kind=data["kind"],
                amount=data["amount"],
                purpose=data["purpose"],
                comment=data.get("comment", ""),
                account=data.get("account"),
                payment_type=payment_type,
                branch=payment_type.branch if payment_type else branch,
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The entry has been added."))
            return redirect(client_card_url(client.pk, "payments"))
    return render(
        request,
        "ledger/entry_form.html",
        {
            "form": form,
            "client": client,
            "balance": selectors.client_balance(client),
            "cancel_url": client_card_url(client.pk, "payments"),
        },
    )


# --- Payments report --------------------------------------------------------------------


def _report_filters(request: HttpRequest) -> tuple[ReportForm, selectors.ReportFilters]:
    today = timezone.localdate()
    data = request.GET.copy()
    if not data.get("date_from") and not data.get("date_to"):
        data["date_from"] = today.replace(day=1).isoformat()
        data["date_to"] = today.isoformat()
    form = ReportForm(
        data,
        branches=Branch.objects.filter(is_active=True),
        payment_types=PaymentType.objects.select_related("branch"),
    )
    filters = selectors.ReportFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.ReportFilters(
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            branch_id=d["branch"].pk if d.get("branch") else None,
            purpose=d.get("purpose") or "",
            payment_type_id=d["payment_type"].pk if d.get("payment_type") else None,
            kind=d.get("kind") or "",
            include_cancelled=bool(d.get("include_cancelled")),
        )
    return form, filters


# The columns of the payments report export, in the page's language (issue 17: no keys).
REPORT_COLUMNS = [
    gettext_lazy("No."),
    gettext_lazy("Date and time"),
    gettext_lazy("Client"),
    gettext_lazy("Kind"),
    gettext_lazy("Amount"),
    gettext_lazy("Purpose"),
    gettext_lazy("Payment method"),
    gettext_lazy("Branch"),
    gettext_lazy("Status"),
    gettext_lazy("Comment"),
]


def _report_rows(rows: Any) -> list[list[Any]]:
    return [
        [
            row.pk,
            exports.export_moment(row.created_at),
            row.client.name if row.client else _("no client yet"),
            row.kind_label,
            # Decimal: a number in the sheet (negative for a charge), exact text in CSV.
            Decimal(to_decimal_string(row.signed_amount)),
            row.purpose_label,
            row.payment_type.display_name if row.payment_type else "",
            row.branch.name if row.branch else "",
            row.status_label,
            row.comment,
        ]
        for row in rows
    ]


@staff_required(*MANAGERS)
def payments_report(request: HttpRequest) -> HttpResponse:
    form, filters = _report_filters(request)
    qs = selectors.payments_report_entries(filters)
    # Money a client paid before being known (an online sale bought by a stranger) is a
    # payment received too: listed with "no client yet" until it is on a client's account.
    unassigned = selectors.payments_report_unassigned(filters)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(selectors.payments_report_all_rows(qs, unassigned), export, filters)
    totals = selectors.payments_report_totals(qs, unassigned)
    keys = selectors.payments_report_keys(qs, unassigned)
    page = Paginator(keys, 50).get_page(request.GET.get("page"))
    page.object_list = selectors.payments_report_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    return render(
        request,
        "ledger/payments_report.html",
        {"form": form, "page": page, "totals": totals, "query": query.urlencode()},
    )


def _export(rows: Any, fmt: str, filters: selectors.ReportFilters) -> HttpResponse:
    table = _report_rows(rows)
    name = f"payments-{filters.date_from or 'all'}-{filters.date_to or 'all'}"
    if fmt == "csv":
        return exports.csv_response(f"{name}.csv", REPORT_COLUMNS, table)
    return exports.xlsx_response(f"{name}.xlsx", _("Payments and charges"), REPORT_COLUMNS, table)


# --- Financial operations -----------------------------------------------------------------


#: Rows of "Cash & operations" per page: a month of a busy till was one 3,800 px page.
OPERATIONS_PER_PAGE = 25


@staff_required(*MANAGERS)
def operations(request: HttpRequest) -> HttpResponse:
    branch = request_branch(request)
    form = OperationForm(
        request.POST or None,
        articles=FinanceArticle.objects.filter(is_archived=False),
        payment_types=selectors.payment_types_active(branch),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if branch is None:
            form.add_error(None, _("Create a branch first."))
        else:
            try:
                services.financial_operation_create(
                    organization=branch.organization,
                    branch=branch,
                    kind=d["kind"],
                    amount=d["amount"],
                    article=d.get("article"),
                    payment_type=d.get("payment_type"),
                    comment=d.get("comment", ""),
                    actor=request_actor(request),
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, _("The operation has been recorded."))
                return redirect("ledger:operations")
    today = timezone.localdate()
    period, dates = filter_dates(
        PeriodForm, request.GET, {"date_from": today.replace(day=1), "date_to": today}
    )
    day_from, day_to = dates["date_from"], dates["date_to"]
    show_cancelled = request.GET.get("cancelled") == "1"
    qs = selectors.operations_list(
        date_from=day_from,
        date_to=day_to,
        branch_id=branch.pk if branch else None,
        include_cancelled=show_cancelled,
    )
    return render(
        request,
        "ledger/operations.html",
        {
            "form": form,
            "page": Paginator(qs, OPERATIONS_PER_PAGE).get_page(request.GET.get("page")),
            "totals": selectors.operations_totals(qs),
            "period": period,
            "branch": branch,
            "show_cancelled": show_cancelled,
        },
    )


@staff_required(*MANAGERS)
def day_sales(request: HttpRequest) -> HttpResponse:
    branch = request_branch(request)
    day_form, dates = filter_dates(DayForm, request.GET, {"day": timezone.localdate()})
    day = dates["day"]
    assert day is not None
    branch_id = branch.pk if branch else None
    receipts = selectors.receipts_list(day=day, branch_id=branch_id)
    return render(
        request,
        "ledger/day_sales.html",
        {
            "day": day,
            "day_form": day_form,
            "branch": branch,
            "receipts": list(receipts[:500]),
            "summary": selectors.day_sales_summary(day=day, branch_id=branch_id),
        },
    )


# --- Finance settings ---------------------------------------------------------------------


@staff_required(*MANAGERS)
def finance_settings(request: HttpRequest) -> HttpResponse:
    branch = request_branch(request)
    if branch is None:
        raise Http404("No branch")
    action = request.POST.get("action", "")
    pt_form = PaymentTypeForm(request.POST if action == "payment_type" else None, prefix="pt")
    article_form = ArticleForm(request.POST if action == "article" else None, prefix="ar")
    desk_form = CashDeskForm(request.POST if action == "desk" else None, prefix="cd")
    actor = request_actor(request)
    org = branch.organization
    try:
        if action == "payment_type" and pt_form.is_valid():
            services.payment_type_create(
                organization=org, branch=branch, actor=actor, **pt_form.cleaned_data
            )
            return redirect("ledger:settings")
        if action == "article" and article_form.is_valid():
            services.finance_article_create(
                organization=org, actor=actor, **article_form.cleaned_data
            )
            return redirect("ledger:settings")
        if action == "desk" and desk_form.is_valid():
            services.cash_desk_create(
                organization=org, branch=branch, actor=actor, **desk_form.cleaned_data
            )
            return redirect("ledger:settings")
        if action == "toggle_payment_type":
            pt = get_object_or_404(PaymentType, pk=request.POST.get("id"))
            services.payment_type_set_active(
                payment_type=pt, is_active=not pt.is_active, actor=actor
            )
            return redirect("ledger:settings")
        if action == "toggle_article":
            article = get_object_or_404(FinanceArticle, pk=request.POST.get("id"))
            services.finance_article_set_archived(
                article=article, is_archived=not article.is_archived, actor=actor
            )
            return redirect("ledger:settings")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return render(
        request,
        "ledger/settings.html",
        {
            "branch": branch,
            "payment_types": selectors.payment_types_list(branch_id=branch.pk),
            "articles": selectors.articles_list(),
            "desks": CashDesk.objects.filter(branch=branch),
            "pt_form": pt_form,
            "article_form": article_form,
            "desk_form": desk_form,
        },
    )
