"""What the waiting list plugs into the ledger (see `ledger.hooks`): the article its
prepayments are recorded under, created per organization on first use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zapys.ledger.hooks import finance_article_declare

#: The article's code (stored on every organization's article row: it stays).
WAITLIST_ARTICLE = "waitlist_prepayments"

finance_article_declare(
    WAITLIST_ARTICLE, kind="income", label=gettext_lazy("Prepayments from the waiting list")
)
