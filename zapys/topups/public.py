"""The client's own top-up (K1): the cabinet's "Top up" form posts here.

Top-ups own the money; the cabinet (a peer) only shows the form, so the entry point is
this app's. The cabinet link's token says who asks; the family member being topped up must
be one that link may see (`clients.cabinet`). A valid amount creates the top-up payment in
the branch set in the prepayment settings (B2, through `payments.payables`) and sends the
client to the shared checkout `/pay/<token>/`; a bad amount (0, not a number, over the
limit) is this page again with the field's error, and nothing is created.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from zapys.clients.cabinet import cabinet_family, cabinet_member, client_by_cabinet_token
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.forms import StyledForm, form_add_domain_error
from zapys.core.i18n import public_language
from zapys.core.money import format_money
from zapys.core.tenancy import public_scope
from zapys.payments.forms import MoneyField
from zapys.payments.payables import topup_branch_for
from zapys.topups.services import topup_create

#: The most a client may top up at once from their own link (kopecks); staff links and the
#: API are not limited by it. `ZAPYS_CLIENT_TOP_UP_MAX` overrides it.
DEFAULT_CLIENT_TOP_UP_MAX = 5_000_000  # 50 000 UAH


def client_top_up_max() -> int:
    return int(getattr(settings, "ZAPYS_CLIENT_TOP_UP_MAX", DEFAULT_CLIENT_TOP_UP_MAX))


class ClientTopUpForm(StyledForm):
    amount = MoneyField(label=_("Amount, UAH"))

    def __init__(self, *args: Any, currency: str = "UAH", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        limit = client_top_up_max()
        if amount > limit:
            raise forms.ValidationError(
                _("The most you can top up at once is %(max)s."),
                params={"max": format_money(limit, self.currency, (get_language() or "uk")[:2])},
            )
        return int(amount)


@require_POST
def cabinet_top_up(request: HttpRequest, token: str) -> HttpResponse:
    """POST amount (+ card: the family member) from the cabinet → the checkout."""
    client = client_by_cabinet_token(token)
    if client is None:
        raise Http404
    organization = client.organization
    with public_scope(organization, public_language(request, organization)):
        member = cabinet_member(cabinet_family(client), request.POST.get("card"))
        if member is None:
            raise Http404
        form = ClientTopUpForm(request.POST, currency=organization.currency)
        if form.is_valid():
            try:
                payment = topup_create(
                    client=member,
                    amount=form.cleaned_data["amount"],
                    actor=Actor.client_link(f"cabinet of client {client.pk}"),
                    branch=topup_branch_for(organization),
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                return redirect(reverse("payments:page", kwargs={"token": payment.token}))
        back = reverse("cabinet:page", kwargs={"token": token})
        if member.pk != client.pk:
            back += f"?card={member.pk}"
        response = render(
            request,
            "topups/cabinet_top_up.html",
            {"organization": organization, "client": member, "form": form, "back": back},
        )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
