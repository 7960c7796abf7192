"""Invoices UI: the public invoice page (I3) and the staff pages — the Finance list with
filters, totals and bulk archive (I4), issuing from the client card (I1), the invoice with
copy link / send and its delivery log (I2), and the settings tab. Views parse and
authorize; services write; reads come from selectors."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.accounts.models import Branch
from zapys.clients.selectors import client_or_404
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.fragments import fragment_of
from zapys.core.http import request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.tenancy import public_scope
from zapys.core.ui import MANAGERS
from zapys.core.views import staff_required
from zapys.invoices import previews, selectors, services
from zapys.invoices.forms import (
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceSettingsForm,
    PayAmountForm,
    SendForm,
)
from zapys.invoices.models import Invoice
from zapys.payments.checkout import checkout_context, checkout_submit
from zapys.payments.models import Payment
from zapys.payments.services import OPEN_STATUSES, PAID_STATUSES

#: How long the page waits for the provider's word after the payer comes back before it
#: offers the payment again (a payer who came back without paying must not wait forever).
RETURN_WAIT = timedelta(minutes=15)

# --------------------------------------------------------------------------- public page


def _breakdown(invoice: Invoice) -> list[dict[str, Any]]:
    """The forecast's lines with their day as a date (stored as ISO text in the JSON), so
    the pages show it the way people read dates ("4 грудня 2026"). The balance's line is
    read by its kind (its stored title is in the language it was issued in): a debt as
    "debt" (older invoices stored a debt as a "balance" line with a positive amount), the
    money on the balance with what of it was used."""
    lines = []
    for line in invoice.breakdown or []:
        try:
            day = date.fromisoformat(str(line.get("date") or ""))
        except ValueError:
            day = None
        shown = {**line, "day": day}
        amount = int(line.get("amount") or 0)
        if line.get("kind") == "debt" or (line.get("kind") == "balance" and amount > 0):
            shown.update(kind="debt", debt=amount)
        elif line.get("kind") == "balance":
            on_balance = int(line.get("on_balance") or 0)
            shown["on_balance"] = on_balance if on_balance > -amount else 0
        lines.append(shown)
    return lines


def _business_phone(invoice: Invoice) -> str:
    """Who to call when the link no longer takes money: the organization, else a branch."""
    organization = invoice.organization
    if organization.phone:
        return organization.phone
    branch = Branch.objects.filter(is_active=True).exclude(phone="").order_by("id").first()
    return branch.phone if branch is not None else ""


def invoice_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the payer opens from the link (I3): the business's requisites and offer link,
    what is paid for, the amount (or an amount field when partial payment is allowed) and
    "Go to payment", which opens the shared checkout (the balance first where it covers
    it). After the window or once archived: the expired message with the business's phone,
    and no form."""
    invoice = selectors.invoice_by_token(token)
    if invoice is None:
        raise Http404
    organization = invoice.organization
    # `?lang=` (the switch, a link in the client's language) is read by core's
    # LanguageLinkMiddleware
    language = public_language(request, organization)
    with public_scope(organization, language):
        response = _invoice_page(request, invoice, language)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _invoice_page(request: HttpRequest, invoice: Invoice, language: str) -> HttpResponse:
    organization = invoice.organization
    now = timezone.now()
    today = services.local_today(organization, now)
    actor = Actor.client_link(f"invoice {invoice.pk}")
    payable = services.invoice_payable(invoice, today)
    payment = invoice.payment
    amount_form = PayAmountForm(request.POST if request.POST.get("action") == "start" else None)
    submitted = None
    if request.method == "POST" and payable:
        if request.POST.get("action") == "start":
            # Partial payment: the amount the payer typed (refused with the field's error).
            typed_ok = not invoice.allow_partial or amount_form.is_valid()
            amount = (
                amount_form.cleaned_data["amount"] if invoice.allow_partial and typed_ok else None
            )
            if typed_ok:
                try:
                    services.invoice_payment_start(invoice=invoice, actor=actor, amount=amount)
                except DomainError as exc:
                    form_add_domain_error(amount_form, exc)
                else:
                    return redirect("invoices:page", token=invoice.token)
        elif payment is not None:
            submitted = checkout_submit(request, payment, actor=actor, payable=True)
            if submitted.done:
                return redirect("invoices:page", token=invoice.token)
    invoice.refresh_from_db(fields=["status", "paid_amount", "payment"])
    if request.method == "GET":
        # the funnel's "opened" (X9): the payer's first open, and the attempt it shows
        services.invoice_opened_record(invoice, viewer=getattr(request, "user", None), now=now)
    payable = services.invoice_payable(invoice, today)
    payment = invoice.payment
    returned = request.GET.get("return") == "1"
    checkout = None
    if (
        payable
        and not returned
        and payment is not None
        # only an attempt still waiting for the payer; after a paid part, a declined card
        # or a paid repeatable invoice the page offers "Go to payment" again
        and payment.status in OPEN_STATUSES
        and request.GET.get("change") != "1"
    ):
        checkout = checkout_context(payment, language=language, payable=True, submitted=submitted)
    invoice_settings = services.invoice_settings_get(organization)
    # Back from the provider: wait (the page refreshes) only while the attempt the payer
    # went to is still open and young. A part paid, or a declined card, answers at once; the
    # page waited forever after a partial payment before (the invoice is not "paid" then).
    attempt_open = (
        payment is not None
        and payment.status in OPEN_STATUSES
        and now - payment.created_at < RETURN_WAIT
    )
    waiting = returned and payable and attempt_open
    received = (
        payment if returned and payment is not None and payment.status in PAID_STATUSES else None
    )
    declined = returned and payment is not None and payment.status == Payment.Status.FAILED
    return render(
        request,
        "invoices/page.html",
        {
            "invoice": invoice,
            "organization": organization,
            "requisites": services.requisites_of(organization, invoice_settings),
            "offer_url": services.offer_url_of(organization, invoice_settings),
            "payable": payable,
            "not_yet": invoice.status in services.OPEN and today < invoice.pay_from,
            # a paid invoice whose window is over says "Paid", not "expired"
            "closed": invoice.is_final
            or (
                invoice.status != Invoice.Status.PAID
                and invoice.pay_until is not None
                and today > invoice.pay_until
            ),
            # withdrawn by the business, not run out: its own words, and no "left to pay"
            "archived": invoice.status == Invoice.Status.ARCHIVED,
            "paid": invoice.status == Invoice.Status.PAID,
            "checkout": checkout,
            "amount_form": amount_form,
            "to_pay": invoice.due if invoice.status != Invoice.Status.PAID else invoice.amount,
            "phone": _business_phone(invoice),
            "waiting": waiting,
            "received": received,
            "declined": declined,
            "page_language": language,
            "lessons": [line for line in _breakdown(invoice) if line.get("kind") == "lesson"],
            "balance_lines": [
                line for line in _breakdown(invoice) if line.get("kind") in ("debt", "balance")
            ],
        },
    )


# --------------------------------------------------------------------------- staff: list


def _filters(form: InvoiceFilterForm) -> selectors.InvoiceFilters:
    if not form.is_valid():
        return selectors.InvoiceFilters()
    data = form.cleaned_data
    return selectors.InvoiceFilters(
        status=data["status"],
        client_id=data["client"],
        rule_id=data["rule"].pk if data["rule"] else None,
        date_from=data["date_from"],
        date_to=data["date_to"],
        search=data["search"] or "",
    )


@staff_required(*MANAGERS)
def invoice_list(request: HttpRequest) -> HttpResponse:
    """Finance → Invoices (I4): filters, totals of what is filtered, and bulk archive."""
    form = InvoiceFilterForm(request.GET or None)
    qs = selectors.invoices_list(_filters(form))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "invoices/list.html",
        {
            "form": form,
            "page": page,
            "totals": selectors.invoices_totals(qs),
            "currency": request_organization(request).currency,
        },
    )


@staff_required(*MANAGERS)
@require_POST
def invoices_archive(request: HttpRequest) -> HttpResponse:
    """Bulk archive (irreversible; the page asked for confirmation): the protocol."""
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) <= 18]
    if not ids:
        messages.warning(request, _("Select the invoices to archive."))
        return redirect("invoices:list")
    results = services.invoices_archive(
        organization=request_organization(request), ids=ids, actor=request_actor(request)
    )
    return render(
        request,
        "invoices/protocol.html",
        {
            "results": [(r, services.archive_error_text(r.error)) for r in results],
            "done": sum(1 for r in results if r.ok),
        },
    )


# --------------------------------------------------------------------------- staff: one


@staff_required()
def invoice_new(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's "Add invoice" (I1)."""
    client = client_or_404(client_id)
    remembered = services.client_payer_of(client)
    form = InvoiceForm(
        request.POST or None,
        client=client,
        initial={
            "payer": remembered.pk if remembered else None,
            "remember_payer": bool(remembered),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # one transaction: a refused invoice leaves the remembered payer as it was
            with transaction.atomic():
                if data["remember_payer"] or remembered is not None:
                    # ticked: remember the chosen payer; unticked with one remembered: forget it
                    services.client_payer_set(
                        client=client,
                        payer=data["payer"] if data["remember_payer"] else None,
                        actor=request_actor(request),
                    )
                invoice = services.invoice_create(
                    client=client,
                    calculation=data["calculation"],
                    amount=data["amount"],
                    membership=data["membership"],
                    payer=data["payer"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    pay_from=data["pay_from"],
                    pay_until=data["pay_until"],
                    repeatable=data["repeatable"],
                    allow_partial=data["allow_partial"],
                    comment=data["comment"],
                    actor=request_actor(request),
                )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": invoice.number})
            return redirect("invoices:detail", pk=invoice.pk)
    return render(request, "invoices/new.html", {"client": client, "form": form})


@staff_required()
def client_invoices(request: HttpRequest, client_id: int) -> HttpResponse:
    """The card's "Invoices" tab (htmx partial) or, opened directly, a page around it."""
    client = client_or_404(client_id)
    invoices = selectors.invoices_list(selectors.InvoiceFilters(client_id=client.pk))[:50]
    context = {"client": client, "invoices": invoices}
    if getattr(request, "htmx", False):
        return render(request, "invoices/_client_invoices.html", context)
    return render(request, "invoices/client_invoices.html", context)


def _invoice_or_404(pk: int) -> Invoice:
    invoice = (
        Invoice.objects.select_related("client", "payer", "account", "membership", "rule")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404(_("Invoice not found."))
    return invoice


@staff_required()
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One invoice: what it is for, its payments, copy link / send and the delivery log."""
    invoice = _invoice_or_404(pk)
    form = SendForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        actor = request_actor(request)
        if action == "archive":
            error = services.invoice_archive(invoice=invoice, actor=actor)
            if error:
                messages.error(request, services.archive_error_text(error))
            else:
                messages.success(request, _("The invoice is archived."))
            return redirect("invoices:detail", pk=pk)
        if form.is_valid():
            try:
                message = services.invoice_send(
                    invoice=invoice,
                    actor=actor,
                    channel=form.cleaned_data["channel"] or None,
                    text=form.cleaned_data["text"] or None,
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Queued for %(recipient)s.") % {"recipient": message.recipient},
                )
                return redirect("invoices:detail", pk=pk)
    return render(
        request,
        "invoices/detail.html",
        {
            "invoice": invoice,
            "form": form,
            "payments": selectors.invoice_payments(invoice),
            "breakdown": _breakdown(invoice),
            "messages_log": selectors.invoice_messages(invoice)[:50],
            "list_url": reverse("invoices:list"),
        },
    )


# --------------------------------------------------------------------------- settings


@staff_required(*MANAGERS)
def settings_view(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    current = services.invoice_settings_get(organization)
    form = InvoiceSettingsForm(
        request.POST or None,
        initial={
            "number_prefix": current.number_prefix,
            "payment_account": current.payment_account_id,
            "requisites": current.requisites,
            "offer_url": current.offer_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_settings_update(
                organization=organization, actor=request_actor(request), **form.cleaned_data
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Invoice settings saved."))
            return redirect("invoices:settings")
    context: dict[str, Any] = {
        "form": form,
        "shown": services.requisites_of(organization, current),
        "next_number": selectors.next_number_shown(
            organization, current, services.local_today(organization).year
        ),
    }
    return render(request, "invoices/settings.html", context)


# --------------------------------------------------------------------------- rules (I5)


@staff_required(*MANAGERS)
def rule_list(request: HttpRequest) -> HttpResponse:
    """The automatic rules, their schedules, a new rule, and a run (dry or real) with its
    report: who got an invoice and who was skipped, and why."""
    from zapys.invoices import rules
    from zapys.invoices.forms import DunningLevelForm, RuleForm
    from zapys.invoices.models import DunningLevel

    organization = request_organization(request)
    adding_level = request.method == "POST" and request.POST.get("action") == "dunning"
    # ids of their own: the new rule's form on the same page has a "template" and a "channel"
    # too, and a tag button inserts into the field its id names
    level_form = DunningLevelForm(request.POST if adding_level else None, auto_id="id_level_%s")
    if adding_level and level_form.is_valid():
        try:
            rules.dunning_level_create(
                organization=organization, actor=request_actor(request), **level_form.cleaned_data
            )
        except DomainError as exc:
            form_add_domain_error(level_form, exc)
        else:
            messages.success(request, _("Reminder saved."))
            return redirect("invoices:rules")
    creating = request.method == "POST" and request.POST.get("action") == "create"
    form = RuleForm(request.POST if creating else None)
    report = None
    ran_rule = None
    if request.method == "POST" and request.POST.get("action") == "create" and form.is_valid():
        try:
            rules.rule_save(
                organization=organization,
                actor=request_actor(request),
                schedule=_rule_schedule(form),
                **form.rule_values(),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("invoices:rules")
    if request.method == "POST" and request.POST.get("action") in ("dry_run", "run"):
        ran_rule = selectors.rules_list().filter(pk=request.POST.get("rule", "0")).first()
        if ran_rule is None:
            raise Http404
        report = rules.rule_run(
            rule=ran_rule,
            actor=request_actor(request),
            dry_run=request.POST["action"] == "dry_run",
        )
    issued: list[tuple[str, int | None]] = []
    skipped: list[tuple[str, str]] = []
    if report is not None:
        from zapys.clients.models import Client

        ids = [row["client_id"] for row in report.issued + report.skipped]
        names = dict(Client.objects.filter(pk__in=ids).values_list("id", "name"))
        issued = [(names.get(r["client_id"], ""), r.get("invoice_id")) for r in report.issued]
        skipped = [(names.get(r["client_id"], ""), r["reason"]) for r in report.skipped]
    listed = list(selectors.rules_list())
    value_names = rules.filter_value_names([rule.filters or {} for rule in listed])
    rule_rows = [
        (
            rule,
            rules.rule_schedule(rule),
            rules.period_label(rule),
            rules.audience_text(rule.filters or {}, value_names),
        )
        for rule in listed
    ]
    from zapys.messaging.events import CHANNEL_LABELS

    levels = list(DunningLevel.objects.order_by("days_from_due", "id"))
    # the message each reminder sends as the client gets it: its own text, else the
    # organization's reminder template, in the organization's language
    example = previews.example_for(organization) if levels else None
    shown = previews.reminder_previews(organization, levels, example) if example else {}
    level_rows = [
        (level, shown[level.pk], str(CHANNEL_LABELS.get(level.channel, ""))) for level in levels
    ]
    return render(
        request,
        "invoices/rules.html",
        {
            "form": form,
            "rules": rule_rows,
            "report": report,
            "ran_rule": ran_rule,
            "dry": request.POST.get("action") == "dry_run",
            "issued": issued,
            "skipped": skipped,
            "level_form": level_form,
            "levels": level_rows,
            "example": example,
            "organization_language": organization.language,
        },
    )


def _rule_schedule(form: Any) -> Any:
    from zapys.invoices import rules

    data = form.cleaned_data
    return rules.Schedule(data["every"], data["at"], data["weekday"], data["day"])


def _rule_or_404(pk: int) -> Any:
    found = selectors.rules_list().filter(pk=pk).first()
    if found is None:
        raise Http404(_("Rule not found."))
    return found


@staff_required(*MANAGERS)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A rule's edit: every option of the new-rule form (what, for which period, whom,
    the payment window, when it runs and how it is sent) and whether it is on."""
    from zapys.invoices import rules
    from zapys.invoices.forms import RuleEditForm

    rule = _rule_or_404(pk)
    initial = RuleEditForm.initial_for(
        rule, rules.rule_schedule_form_values(rules.rule_schedule(rule))
    )
    form = RuleEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rules.rule_save(
                organization=request_organization(request),
                actor=request_actor(request),
                rule=rule,
                schedule=_rule_schedule(form),
                **form.rule_values(),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("invoices:rules")
    organization = request_organization(request)
    return render(
        request,
        "invoices/rule_edit.html",
        {
            "rule": rule,
            "form": form,
            # the text as typed when the form comes back with an error, else as saved
            **_preview_context(organization, "invoice", request.POST or rule, rule=rule),
        },
    )


def _preview_context(organization: Any, kind: str, source: Any, rule: Any = None) -> dict[str, Any]:
    """What `_message_preview.html` shows: the message of `kind` as the client gets it,
    with the channel and text of `source`: a saved rule or reminder, or a form's data
    (the edit page's POST, the live preview's GET: `channel`, `template`)."""
    from zapys.messaging.events import CHANNELS

    if isinstance(source, QueryDict):
        channel, text = source.get("channel", ""), source.get("template", "")
    else:
        channel, text = source.channel, source.template

    example = previews.example_for(organization, rule)
    preview = previews.message_preview(
        organization,
        kind=previews.KINDS[kind],
        channel=channel if channel in CHANNELS else "",
        text=str(text)[:2000],
        example=example,
        templates=previews.templates_for(organization, previews.KINDS[kind]),
    )
    return {
        "kind": kind,
        "preview": preview,
        "example": example,
        "organization_language": organization.language,
    }


@staff_required(*MANAGERS)
@fragment_of(lambda request, **kwargs: reverse("invoices:rules"))
def message_preview(request: HttpRequest, kind: str) -> HttpResponse:
    """A rule's or a reminder's message as typed so far (htmx: the edit page's preview
    redrawn while the text or the channel changes). Opened as a page: the rules page."""
    if kind not in previews.KINDS:
        raise Http404
    rule = None
    if kind == "invoice" and request.GET.get("rule", "").isdigit():
        rule = selectors.rules_list().filter(pk=int(request.GET["rule"])).first()
    return render(
        request,
        "invoices/_message_preview_body.html",
        _preview_context(request_organization(request), kind, request.GET, rule=rule),
    )


@staff_required(*MANAGERS)
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a rule after a confirmation that says what happens to its invoices (they
    stay, and can still be paid)."""
    from zapys.invoices import rules
    from zapys.invoices.models import Invoice as InvoiceModel

    rule = _rule_or_404(pk)
    if request.method == "POST":
        kept = rules.rule_delete(rule=rule, actor=request_actor(request))
        messages.success(
            request,
            _("Rule “%(name)s” deleted. The invoices it issued (%(count)s) stay.")
            % {"name": rule.name, "count": kept},
        )
        return redirect("invoices:rules")
    issued = InvoiceModel.objects.filter(rule=rule).count()
    return render(request, "invoices/rule_delete.html", {"rule": rule, "issued": issued})


def _level_or_404(pk: int) -> Any:
    from zapys.invoices.models import DunningLevel

    return get_object_or_404(DunningLevel.objects.all(), pk=pk)


@staff_required(*MANAGERS)
def dunning_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A payment reminder's day, channel and text."""
    from zapys.invoices import rules
    from zapys.invoices.forms import DunningLevelForm

    level = _level_or_404(pk)
    organization = request_organization(request)
    form = DunningLevelForm(
        request.POST or None,
        initial={
            "days_from_due": level.days_from_due,
            "channel": level.channel,
            "template": level.template,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            rules.dunning_level_update(
                level=level, actor=request_actor(request), **form.cleaned_data
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Reminder saved."))
            return redirect("invoices:rules")
    return render(
        request,
        "invoices/dunning_edit.html",
        {
            "level": level,
            "form": form,
            **_preview_context(organization, "reminder", request.POST or level),
        },
    )


@staff_required(*MANAGERS)
@require_POST
def dunning_delete(request: HttpRequest, pk: int) -> HttpResponse:
    from zapys.invoices import rules

    rules.dunning_level_delete(level=_level_or_404(pk), actor=request_actor(request))
    messages.success(request, _("Reminder deleted."))
    return redirect("invoices:rules")
