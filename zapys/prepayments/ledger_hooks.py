"""What prepayments plug into the ledger (see `ledger.hooks`): the article prepayments are
recorded under (settings may choose another)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zapys.ledger.hooks import finance_article_declare

finance_article_declare("prepayments", kind="income", label=gettext_lazy("Prepayments"))
