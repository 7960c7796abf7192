"""Payments UI: provider callbacks, the public payment page, the sandbox checkout, and
staff pages (accounts, online payments). Views parse and authorize;
services write."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from zapys.core.audit import Actor
from zapys.core.crypto import mask_secret
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_organization
from zapys.core.i18n import public_language
from zapys.core.templatetags.zapys import money as money_shown
from zapys.core.tenancy import org_scope, public_scope
from zapys.core.views import staff_required
from zapys.payments import selectors, services
from zapys.payments.checkout import Submitted, checkout_context, checkout_submit
from zapys.payments.config import max_callback_bytes
from zapys.payments.forms import PaymentAccountForm, PaymentFilterForm, RefundForm
from zapys.payments.models import Payment, PaymentAccount, PaymentEvent
from zapys.payments.providers import InvalidCallback
from zapys.payments.providers.sandbox import DECLINE_CARD, SUCCESS_CARD, THREE_DS_CODE
from zapys.payments.purposes import payment_description, return_url_for
from zapys.payments.sandbox import checkout_expired, sandbox_api, sandbox_charge, sandbox_verify
from zapys.payments.services.opens import payment_opened_record

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- callbacks


@csrf_exempt
def callback(request: HttpRequest, provider: str, account_id: str) -> HttpResponse:
    """Provider → Zapys. Verify, store, dedupe, lock, transition, reply (DESIGN rule 6)."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    account = selectors.account_for_callback(account_id)
    if account is None or account.provider != provider:
        raise Http404
    limit = max_callback_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return HttpResponse(b"payload too large", status=413, content_type="text/plain")
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse(b"payload too large", status=413, content_type="text/plain")
    # Texts written here (a held payment's reason, staff notifications) are for the
    # organization's staff, whatever language the provider's request asks for.
    with org_scope(account.organization), translation.override(account.organization.language):
        try:
            reply = services.payment_callback_handle(
                account=account, body=body, content_type=request.content_type or ""
            )
        except InvalidCallback as exc:
            logger.warning(
                "payments: rejected %s callback for account %s: %s",
                provider,
                account.public_id,
                exc,
            )
            return HttpResponse(b"invalid callback", status=400, content_type="text/plain")
    return HttpResponse(reply.body, status=reply.status_code, content_type=reply.content_type)


# --------------------------------------------------------------------------- public page


def payment_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the client opens from the link: the business, what the payment is for, and while
    it awaits them the one checkout (`payments.checkout`); its POST (accept the terms, pay
    from the balance, try again) redirects back here or to the attempt to pay now."""
    payment = selectors.payment_by_token(token)
    if payment is None:
        raise Http404
    with public_scope(payment.organization, public_language(request, payment.organization)):
        language = (translation.get_language() or "uk")[:2]
        submitted = None
        if request.method == "POST":
            submitted = checkout_submit(
                request, payment, actor=Actor.client_link(f"payment {payment.pk}")
            )
            if submitted.done:
                return redirect(_after_submit(payment, submitted))
        if request.method == "GET":
            payment_opened_record(payment, viewer=request.user)  # the funnel's "opened" (X9)
        returned = request.GET.get("return") == "1" and payment.status in services.OPEN_STATUSES
        expired = bool(
            payment.status in services.OPEN_STATUSES
            and payment.expires_at is not None
            and payment.expires_at <= timezone.now()
        )
        checkout = None
        if not returned:
            checkout = checkout_context(payment, language=language, submitted=submitted)
        response = render(
            request,
            "payments/page.html",
            {
                "payment": payment,
                "description": payment_description(payment),
                "organization": payment.organization,
                "checkout": checkout,
                "expired": expired,
                "returned": returned,
            },
        )
    response["Cache-Control"] = "no-store"
    return response


def _after_submit(payment: Payment, submitted: Submitted) -> str:
    """Where the client goes after a choice on the checkout: a new attempt's own page; after
    paying from the balance the purpose's page (this payment's link is closed then)."""
    if submitted.payment is not None and submitted.payment.pk != payment.pk:
        return reverse("payments:page", kwargs={"token": submitted.payment.token})
    if submitted.paid_from_balance:
        return return_url_for(payment) or reverse("payments:page", kwargs={"token": payment.token})
    return reverse("payments:page", kwargs={"token": payment.token})


# --------------------------------------------------------------------------- sandbox


def _sandbox_context(request: HttpRequest) -> tuple[PaymentAccount, dict[str, Any], dict]:
    data, signature = request.POST.get("data", ""), request.POST.get("signature", "")
    try:
        account, payload = sandbox_verify(data, signature)
    except InvalidCallback as exc:
        raise Http404(str(exc)) from exc
    context = {
        "data": data,
        "signature": signature,
        "payload": payload,
        "amount": int(payload.get("amount") or 0),
        "currency": payload.get("currency", "UAH"),
        "organization_name": account.organization.name,
        "success_card": SUCCESS_CARD,
        "decline_card": DECLINE_CARD,
        "code_hint": THREE_DS_CODE,
    }
    return account, payload, context


@csrf_exempt
@require_POST
def sandbox_checkout(request: HttpRequest) -> HttpResponse:
    """The sandbox "provider's" card form (the browser posts the checkout form here)."""
    account, payload, context = _sandbox_context(request)
    language = public_language(request, account.organization, str(payload.get("language", "")))
    with translation.override(language):
        return _sandbox_step(request, account, payload, context)


def _sandbox_step(
    request: HttpRequest, account: PaymentAccount, payload: dict[str, Any], context: dict
) -> HttpResponse:
    if checkout_expired(payload):
        context["error"] = _("This payment link has expired.")
        return render(request, "payments/sandbox_checkout.html", context, status=400)
    step = request.POST.get("step", "")
    if step == "card":
        card = "".join(ch for ch in request.POST.get("card_number", "") if ch.isdigit())
        if card == DECLINE_CARD:
            sandbox_charge(account=account, payload=payload, success=False)
            return HttpResponseRedirect(str(payload.get("result_url") or "/"))
        if card != SUCCESS_CARD:
            context["error"] = _("Use one of the test cards shown below.")
            return render(request, "payments/sandbox_checkout.html", context, status=400)
        context["step"] = "3ds"
        return render(request, "payments/sandbox_checkout.html", context)
    if step == "3ds":
        if request.POST.get("code", "").strip() != THREE_DS_CODE:
            context["step"] = "3ds"
            context["error"] = _("Wrong confirmation code.")
            return render(request, "payments/sandbox_checkout.html", context, status=400)
        sandbox_charge(account=account, payload=payload, success=True)
        return HttpResponseRedirect(str(payload.get("result_url") or "/"))
    context["step"] = "card"
    return render(request, "payments/sandbox_checkout.html", context)


@csrf_exempt
@require_POST
def sandbox_api_view(request: HttpRequest) -> JsonResponse:
    try:
        account, payload = sandbox_verify(
            request.POST.get("data", ""), request.POST.get("signature", "")
        )
    except InvalidCallback:
        return JsonResponse({"result": "error", "code": "bad_signature"}, status=400)
    return JsonResponse(sandbox_api(account=account, payload=payload))


# --------------------------------------------------------------------------- staff: accounts


@staff_required("owner", "administrator")
def accounts(request: HttpRequest) -> HttpResponse:
    form = PaymentAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_account_create(
                organization=request_organization(request),
                provider=form.cleaned_data["provider"],
                name=form.cleaned_data["name"],
                credentials=form.credentials(),
                is_default=form.cleaned_data["is_default"] or None,
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Payment account added."))
            return redirect("payments:accounts")
    return render(
        request,
        "payments/accounts.html",
        {"form": form, "accounts": selectors.account_list()},
    )


def _masked(account: PaymentAccount) -> dict[str, str]:
    creds = account.credentials
    return {
        name: mask_secret(str(creds.get(name, "")))
        for name, _req, secret in services.CREDENTIAL_FIELDS.get(account.provider, [])
        if secret
    }


@staff_required("owner", "administrator")
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(account_id=pk)
    creds = account.credentials
    initial = {
        "provider": account.provider,
        # A system name in the page's language (the row keeps the stored one if unchanged).
        "name": account.display_name,
        "is_default": account.is_default,
        "sandbox": bool(creds.get("sandbox")),
        **{
            name: creds.get(name, "")
            for name, _req, secret in services.CREDENTIAL_FIELDS.get(account.provider, [])
            if not secret
        },
    }
    form = PaymentAccountForm(
        request.POST or None, initial=initial, account=account, masked=_masked(account)
    )
    if request.method == "POST" and form.is_valid():
        try:
            name = form.cleaned_data["name"]
            services.payment_account_update(
                account=account,
                name=account.name if name == account.display_name else name,
                credentials=form.credentials(),
                is_default=form.cleaned_data["is_default"],
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Payment account saved."))
            return redirect("payments:accounts")
    return render(
        request,
        "payments/account_edit.html",
        {"form": form, "account": account},
    )


@staff_required("owner", "administrator")
@require_POST
def account_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(account_id=pk)
    services.payment_account_update(
        account=account, is_active=not account.is_active, actor=request_actor(request)
    )
    messages.success(
        request,
        _("Account activated.") if account.is_active else _("Account deactivated."),
    )
    return redirect("payments:accounts")


# --------------------------------------------------------------------------- staff: payments


@staff_required("owner", "administrator")
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    filters = selectors.PaymentFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.PaymentFilters(
            status=data["status"],
            purpose=data["purpose"],
            provider=data["provider"],
            held=data["held"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            search=data["search"].strip(),
        )
    page = Paginator(selectors.payment_list(filters), 50).get_page(request.GET.get("page"))
    selectors.payment_clients_fill(list(page.object_list))
    return render(request, "payments/list.html", {"form": form, "page": page})


@staff_required("owner", "administrator")
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment = selectors.payment_get(payment_id=pk)
    form = RefundForm(request.POST or None)
    if request.method == "POST":
        actor = request_actor(request)
        if request.POST.get("action") == "release":
            services.payment_release(payment=payment, actor=actor)
            return redirect("payments:detail", pk=pk)
        if request.POST.get("action") == "check":
            outcome = services.payment_reconcile(payment=payment, actor=actor)
            messages.info(request, _("Status checked: %(outcome)s") % {"outcome": outcome})
            return redirect("payments:detail", pk=pk)
        if form.is_valid():
            try:
                services.payment_refund(
                    payment=payment, amount=form.cleaned_data["amount"], actor=actor
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Refund done."))
                return redirect("payments:detail", pk=pk)
    events = PaymentEvent.objects.filter(payment=payment).order_by("-received_at")[:50]
    selectors.payment_clients_fill([payment])
    description = selectors.payment_title(payment)
    return render(
        request,
        "payments/detail.html",
        {
            "payment": payment,
            "form": form,
            "events": events,
            "refunds": payment.refunds.all(),
            "purpose_label": selectors.payment_purpose_label(payment),
            "description": description,
            # «Передоплата: Стрижка жіноча — 200,00 грн»: what was paid and how much.
            "title": _("%(what)s — %(amount)s")
            % {"what": description, "amount": money_shown(payment.amount, payment.currency)},
        },
    )
