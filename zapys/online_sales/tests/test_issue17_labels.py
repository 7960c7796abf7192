"""Online sales settings: every label starts with a capital letter (issue 17)."""

from __future__ import annotations

import pytest
from django.utils import translation

from zapys.online_sales.forms import SettingsForm


@pytest.mark.parametrize(
    ("language", "labels"),
    [("en", ("Payment account", "Branch receiving the money")),
     ("uk", ("Платіжний сервіс", "Філія, що отримує гроші"))],
)  # fmt: skip
def test_the_money_labels_are_capitalised(org, language, labels):
    with translation.override(language):
        form = SettingsForm(organization=org)
        shown = (str(form.fields["payment_account"].label), str(form.fields["branch"].label))
    assert shown == labels
