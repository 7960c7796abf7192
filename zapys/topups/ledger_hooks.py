"""What top-ups plug into the ledger (see `ledger.hooks`): the article their money is recorded
under, created per organization on first use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zapys.ledger.hooks import finance_article_declare

#: The article's code (stored on every organization's article row: it stays).
TOP_UPS_ARTICLE = "top_ups"

finance_article_declare(TOP_UPS_ARTICLE, kind="income", label=gettext_lazy("Balance top-ups"))
