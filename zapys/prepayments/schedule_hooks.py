"""What the prepayment app plugs into the schedule (found by `zapys.schedule.hooks`): after
an online booking it may start a paid booking, a visit shows its booking, and a checkout
learns what of the client's balance other visits' prepayments hold."""

from zapys.prepayments.selectors import (
    balance_held_for_visit,
    balances_held_by_visits,
    bookings_for_visits,
)
from zapys.prepayments.services import (
    online_visit_created,
    visit_cancel_page,
    visit_status_changed,
    visit_status_locking,
)
from zapys.schedule import hooks

hooks.register_after_online_visit_created(online_visit_created)
hooks.register_bookings_for(bookings_for_visits)
hooks.register_balance_held(balance_held_for_visit)
hooks.register_balances_held(balances_held_by_visits)
hooks.register_visit_status_locking(visit_status_locking)
hooks.register_visit_status_handler(visit_status_changed)
hooks.register_visit_cancel_page(visit_cancel_page)
