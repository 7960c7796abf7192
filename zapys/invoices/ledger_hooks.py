"""What invoices plug into the ledger (see `ledger.hooks`): the article paid invoices are
recorded under."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from zapys.ledger.hooks import finance_article_declare

finance_article_declare("invoices", kind="income", label=gettext_lazy("Invoices"))
