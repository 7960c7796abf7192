"""Staff pages of the top-up app. Views parse and authorize; services write."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zapys.clients.selectors import client_or_404
from zapys.core.exceptions import DomainError
from zapys.core.forms import form_add_domain_error
from zapys.core.http import request_actor
from zapys.core.views import staff_required
from zapys.payments.models import Payment
from zapys.topups import selectors, services
from zapys.topups.forms import TopUpForm


@staff_required()
def client_topup(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card's "Top-up link" action: create a top-up and show its link. A deleted
    client has no card, so no top-up either (404, as the API answers)."""
    client = client_or_404(client_id)
    form = TopUpForm(request.POST or None)
    payment: Payment | None = None
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.topup_create(
                client=client,
                amount=form.cleaned_data["amount"],
                account=form.cleaned_data["account"],
                actor=request_actor(request),
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
    return render(
        request,
        "topups/client_topup.html",
        {
            "client": client,
            "form": form,
            "payment": payment,
            "recent": selectors.client_topups(client),
        },
    )
