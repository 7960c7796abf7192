"""What the payments' stored notices said before (issue 17, fifth tour).

Staff notices and review reasons are stored as msgids with parameters and read in each
reader's language (`core.stored_text`). They said "the provider" where the pages say "the
payment service", "the client's account" where the product says "balance", and named a
payment by its number («Онлайн-платіж №9 потребує перевірки») instead of what was paid and
how much. Rows stored then keep these msgids, so the catalogue keeps them (marked here, so
`makemessages` does not drop them) and old rows still render in each language.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

FORMER_TEXTS = (
    gettext_noop("Amount mismatch: the provider reports %(got)s, expected %(want)s."),
    gettext_noop("Currency mismatch: the provider reports %(got)s, expected %(want)s."),
    gettext_noop("The provider reports a refund that Zapys did not request or record."),
    gettext_noop("Payment #%(id)s: Zapys says %(local)s, the provider says %(remote)s."),
    gettext_noop("Zapys says %(local)s, the provider says %(remote)s."),
    gettext_noop("Payments disagree with the provider: %(n)s"),
    gettext_noop(
        "The payment moved at the provider, but Zapys could not apply it: %(detail)s "
        "Check the client's account and apply it by hand."
    ),
    gettext_noop("Online payment #%(id)s needs review"),
)
