"""Staff pages: Settings → Cash registers, and Fiscal receipts (failures with a retry)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor, request_organization
from zapys.core.views import staff_required
from zapys.fiscal import selectors, services
from zapys.fiscal.forms import RegisterForm
from zapys.fiscal.models import CashRegister, FiscalReceipt
from zapys.fiscal.sending import shift_close_now


@staff_required("owner")
def registers(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    registers = selectors.registers_with_shifts(organization)
    form = RegisterForm(
        request.POST or None, organization=organization, has_registers=bool(registers)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register_save(
                organization=organization,
                branch=data["branch"],
                actor=request_actor(request),
                license_key=data["license_key"],
                login=data["cashier_login"],
                password=data["cashier_password"],
                pin=data["cashier_pin"],
                base_url=data["base_url"],
                close_shift_at=data["close_shift_at"],
                fiscalise_card=data["fiscalise_card"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Cash register saved."))
            return redirect("fiscal:registers")
    context = {"form": form, "registers": registers}
    return render(request, "fiscal/registers.html", context)


@staff_required("owner")
@require_POST
def register_check(request: HttpRequest, pk: int) -> HttpResponse:
    register = get_object_or_404(CashRegister, pk=pk)  # scoped: a foreign id is a 404
    ok, text = services.register_check(register)
    (messages.success if ok else messages.error)(request, text)
    return redirect("fiscal:registers")


@staff_required("owner", "administrator")
def receipts(request: HttpRequest) -> HttpResponse:
    organization = request_organization(request)
    context = {
        "registers": selectors.registers_with_shifts(organization),
        "failed": selectors.receipts_failed(organization),
        "recent": selectors.receipts_recent(organization),
        "shifts": selectors.shifts_recent(organization),
    }
    return render(request, "fiscal/receipts.html", context)


@staff_required("owner", "administrator")
@require_POST
def receipt_retry(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(FiscalReceipt, pk=pk)
    try:
        services.receipt_retry(receipt=receipt, actor=request_actor(request))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The receipt will be sent again with the same id."))
    return redirect("fiscal:receipts")


@staff_required("owner", "administrator")
@require_POST
def shift_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the register's open shift now (the Z-report is stored), before its time."""
    register = get_object_or_404(CashRegister, pk=pk)  # scoped: a foreign id is a 404
    outcome = shift_close_now(register, timezone.now())
    texts = {
        "closed": (messages.success, _("The shift is closed; its Z-report is stored.")),
        "closing": (messages.info, _("Checkbox is closing the shift; the Z-report follows.")),
        "failed": (messages.error, _("Checkbox did not close the shift: the reason is shown.")),
        "signin_failed": (messages.error, _("Checkbox refused the cashier's sign-in.")),
        "busy": (messages.warning, _("The register is sending receipts now; try in a minute.")),
        "taken": (messages.info, _("The shift is being closed already.")),
        "none": (messages.info, _("This register has no open shift.")),
    }
    say, text = texts[outcome]
    say(request, text)
    return redirect("fiscal:receipts")
