"""The sell and renew forms say «Спосіб оплати» under «Оплата» (paid / on credit): «Тип
оплати» next to «Оплата» read as the same question twice (issue 17)."""

from __future__ import annotations

import pytest
from django.utils import translation

from zapys.memberships.forms import RenewForm, SellForm


@pytest.mark.parametrize("form", [SellForm, RenewForm])
def test_the_payment_method_is_named_apart_from_the_payment(form):
    field = form.base_fields["payment_type"]
    with translation.override("uk"):
        assert str(field.label) == "Спосіб оплати"
    with translation.override("en"):
        assert str(field.label) == "Payment method"
