"""Writes for membership plans and client memberships (C6, C7), one module a concern:

- `plans`: create, update, archive a plan;
- `selling`: sell, renew, cancel, and the sale following its ledger entry (the sale modes
  are described there);
- `corrections`: dates and virtual visits fixed by staff;
- `consumption`: visits taken and given back (called by the schedule);
- `freezes`: validity moved by a client's freeze (called by the clients app).

Validity arithmetic is in `zapys.memberships.validity`, the reads in `selectors`. Every
name `zapys.memberships.services` had is importable from here as before.
"""

from zapys.memberships.services.consumption import (
    membership_consume_visit,
    membership_return_visit,
)
from zapys.memberships.services.corrections import (
    membership_add_virtual_visits,
    membership_correct_validity,
)
from zapys.memberships.services.freezes import membership_freeze_extend, membership_freeze_release
from zapys.memberships.services.plans import (
    PLAN_FIELDS,
    membership_plan_archive,
    membership_plan_create,
    membership_plan_update,
)
from zapys.memberships.services.selling import (
    membership_cancel,
    membership_renew,
    membership_sale_entry_cancelled,
    membership_sell,
)
from zapys.memberships.validity import (
    MAX_VALIDITY_DAYS,
    add_months,
    freeze_overlap_days,
    validity_end,
)

__all__ = [
    "MAX_VALIDITY_DAYS",
    "PLAN_FIELDS",
    "add_months",
    "freeze_overlap_days",
    "membership_add_virtual_visits",
    "membership_cancel",
    "membership_consume_visit",
    "membership_correct_validity",
    "membership_freeze_extend",
    "membership_freeze_release",
    "membership_plan_archive",
    "membership_plan_create",
    "membership_plan_update",
    "membership_renew",
    "membership_return_visit",
    "membership_sale_entry_cancelled",
    "membership_sell",
    "validity_end",
]
