"""Django's empty choice "---------" says nothing to an administrator: every styled form
offers "— choose —" in the page's language instead (issue 17)."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from tests.factories import make_org
from zapys.accounts.models import Branch
from zapys.core.forms import StyledForm


class _Form(StyledForm):
    branch: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, required=False)
    colour = forms.TypedChoiceField(choices=[("", "---------"), ("red", "Red")], required=False)
    kept = forms.ChoiceField(choices=[("", "Any"), ("a", "A")], required=False)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("uk", "— оберіть —"), ("en", "— choose —")])
def test_the_empty_choice_reads_in_words(language, words):
    org = make_org("Empty choice")
    with translation.override(language):
        form = _Form()
        form.fields["branch"].queryset = Branch.objects.for_org(org)  # type: ignore[attr-defined]
        html = str(form)
    assert "---------" not in html
    assert html.count(f">{words}</option>") == 2
    assert ">Any</option>" in html  # an empty choice a form named itself is kept
