"""What top-ups add to the staff interface (see `core.ui`): the client card's action."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zapys.core.ui import CardAction, client_card_action

client_card_action(CardAction(_("Top-up link"), "credit-card", "topups:client_topup", 30))
