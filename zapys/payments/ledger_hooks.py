"""What online top-ups plug into the ledger (see `ledger.hooks`): their article. Moves to the
top-up app with the rest of the top-up purpose."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zapys.ledger.hooks import finance_article_declare

finance_article_declare("top_ups", kind="income", label=gettext_lazy("Balance top-ups"))
