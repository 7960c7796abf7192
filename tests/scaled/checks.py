"""What the scaled-mode run asserts, from the database and the processes' own records."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from tests.scaled.stack import Attempt, Plan, Proc, wire_key


class Verification:
    """Mixin of ScaledRun (tests/scaled/run.py); every check goes through `self.check`."""

    plan: Plan
    by_id: dict[int, Any]
    procs: list[Proc]
    web_ports: list[int]
    killed_in_flight: set[int]
    lb: Any
    sms: Any

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        raise NotImplementedError

    # ------------------------------------------------------------------ checks

    def check_bookings(self, attempts: list[Attempt]) -> None:
        from zapys.core.tenancy import unscoped
        from zapys.prepayments.models import Booking
        from zapys.schedule.models import Visit

        by_slot: dict[tuple, list[Attempt]] = defaultdict(list)
        for a in attempts:
            by_slot[(a.org_slug, a.staff_id, a.start)].append(a)
        pairs = [v for v in by_slot.values() if len(v) > 1]
        one_winner = all(sum(1 for a in v if a.status == 302) == 1 for v in pairs)
        losers_ok = all(a.status == 200 for v in pairs for a in v if a.status != 302)
        self.check(
            f"{len(pairs)} pairs racing for the same slot: exactly one booking each, the other "
            "told the time is taken",
            bool(pairs) and one_winner and losers_ok,
            str([[a.status for a in v] for v in pairs]),
        )
        singles = [v[0] for v in by_slot.values() if len(v) == 1]
        self.check(
            "every other online booking succeeded (302 to its confirmation)",
            all(a.status == 302 for a in singles),
            str(dict(Counter(a.status for a in singles))),
        )
        made = [a for a in attempts if a.status == 302]
        with unscoped():
            visits = Visit.objects.filter(client__phone__in=[a.phone for a in made]).count()
            bookings = Booking.objects.filter(client__phone__in=[a.phone for a in made])
            pending = bookings.filter(status="pending", payment__status="pending").count()
            total = bookings.count()
        self.check(
            "one visit and one pending prepayment (with its pending payment) per booking",
            visits == len(made) == total == pending,
            f"{len(made)} bookings, {visits} visits, {total} prepayments, {pending} pending",
        )

    def verify_processes(self) -> None:
        assert self.lb is not None
        counts = self.lb.counts
        self.check(
            "the proxy spread the clients over both web instances",
            len(counts) == len(self.web_ports) and min(counts.values()) > 0,
            ", ".join(f"{port}: {n}" for (_host, port), n in sorted(counts.items())),
        )

        def executed(proc: Proc, task: str = "") -> int:
            pattern = re.compile(r"^\[[^\]]*\] INFO:huey:[^:]*:Executing " + re.escape(task), re.M)
            return len(pattern.findall(proc.log_text()))

        consumers = [p for p in self.procs if p.role in ("worker", "scheduler")]
        self.check(
            "every worker and the scheduler ran tasks (the killed worker before its kill)",
            all(executed(p) > 0 for p in consumers),
            ", ".join(f"{p.name}: {executed(p)}" for p in consumers),
        )
        sandbox_paid = [
            pk for pk in self.plan.paid if self.by_id[pk].organization.slug == "scaled-sandbox"
        ]
        delivered = sum(
            executed(p, "zapys.payments.tasks.sandbox_deliver_callback") for p in consumers
        )
        self.check(
            "the sandbox's callbacks were delivered by workers, back through the proxy",
            delivered >= len(sandbox_paid) > 0,
            f"{delivered} deliveries for {len(sandbox_paid)} payments",
        )

    def verify(self) -> None:
        self.verify_processes()
        from zapys.core.audit import AuditLog
        from zapys.core.tenancy import unscoped
        from zapys.ledger.models import Entry
        from zapys.payments.models import Payment, PaymentEvent
        from zapys.prepayments.models import Booking

        plan = self.plan
        everyone = plan.paid + plan.race + plan.expire + plan.untouched
        with unscoped():
            bookings = {
                b.pk: b
                for b in Booking.objects.filter(pk__in=everyone).select_related("payment", "visit")
            }
            entries: Counter[str] = Counter(
                Entry.objects.filter(
                    cause_type="prepayments.booking",
                    cause_id__in=[str(pk) for pk in everyone],
                    purpose="prepayment",
                ).values_list("cause_id", flat=True)
            )
            payments = [bookings[pk].payment for pk in plan.paid + plan.race]
            applied = Counter(
                PaymentEvent.objects.filter(payment__in=payments, outcome="applied").values_list(
                    "payment_id", flat=True
                )
            )
            audits = Counter(
                AuditLog.objects.filter(
                    object_type="prepayments.booking",
                    object_id__in=[str(pk) for pk in everyone],
                    action__in=["booking.expired", "booking.auto_cancelled", "booking.paid",
                                "booking.paid_late", "booking.paid_duplicate"],
                ).values_list("object_id", "action")
            )  # fmt: skip

        def n(pk: int, action: str) -> int:
            return audits[(str(pk), action)]

        credited = [
            pk
            for pk in plan.paid + plan.race
            if bookings[pk].payment.status == Payment.Status.SUCCEEDED
            and entries[str(pk)] == 1
            and applied[bookings[pk].payment.pk] == 1
        ]
        self.check(
            "every payment credited exactly once (succeeded, one ledger entry, one applied event)",
            len(credited) == len(plan.paid + plan.race),
            f"{len(credited)}/{len(plan.paid + plan.race)}; "
            + ", ".join(
                f"#{pk}: {bookings[pk].payment.status}, {entries[str(pk)]} entries, "
                f"{applied[bookings[pk].payment.pk]} applied"
                for pk in plan.paid + plan.race
                if pk not in credited
            ),
        )
        in_time = [
            pk for pk in plan.paid if bookings[pk].status == "paid" and n(pk, "booking.paid") == 1
        ]
        self.check(
            "bookings paid in time are paid (one `booking.paid` each), no expiry",
            len(in_time) == len(plan.paid)
            and not any(n(pk, "booking.expired") for pk in plan.paid),
            f"{len(in_time)}/{len(plan.paid)}",
        )
        expired_once = [
            pk
            for pk in plan.expire
            if bookings[pk].status == "cancelled"
            and n(pk, "booking.expired") == 1
            and n(pk, "booking.auto_cancelled") == 1
            and not bookings[pk].visit.blocks_time
            and bookings[pk].payment.status != Payment.Status.SUCCEEDED
            and entries[str(pk)] == 0
        ]
        self.check(
            "every due unpaid booking expired exactly once and cancelled exactly once "
            "(visit freed, nothing credited)",
            len(expired_once) == len(plan.expire),
            f"{len(expired_once)}/{len(plan.expire)}; "
            + ", ".join(
                f"#{pk}: {bookings[pk].status} expired×{n(pk, 'booking.expired')} "
                f"cancelled×{n(pk, 'booking.auto_cancelled')}"
                for pk in plan.expire
                if pk not in expired_once
            ),
        )
        race_ok, outcomes = [], Counter()
        for pk in plan.race:
            b = bookings[pk]
            if b.status == "paid" and not b.paid_late:
                outcome = "paid before the sweep"
                ok = n(pk, "booking.paid") == 1 and n(pk, "booking.expired") == 0
            else:
                outcome = "expired first, paid late"
                ok = (
                    b.paid_late
                    and b.status in ("expired", "cancelled")
                    and n(pk, "booking.expired") == 1
                    and n(pk, "booking.paid_late") == 1
                    and n(pk, "booking.auto_cancelled") <= 1
                )
            outcomes[outcome] += 1
            if ok:
                race_ok.append(pk)
        self.check(
            "payment racing the expiry: exactly one outcome each, money kept either way",
            len(race_ok) == len(plan.race),
            str(dict(outcomes)),
        )
        untouched = [
            pk
            for pk in plan.untouched
            if bookings[pk].status == "pending"
            and not any(n(pk, a) for a in ("booking.expired", "booking.auto_cancelled"))
            and entries[str(pk)] == 0
        ]
        self.check(
            "bookings with their deadline ahead are untouched (pending, nothing credited)",
            len(untouched) == len(plan.untouched),
            f"{len(untouched)}/{len(plan.untouched)}",
        )
        self.verify_messages(bookings)

    def verify_messages(self, bookings: dict[int, Any]) -> None:
        from zapys.core.tenancy import unscoped
        from zapys.messaging.models import Message

        plan = self.plan
        with unscoped():
            messages = list(Message.objects.all())
        keys = {m.idempotency_key for m in messages}
        # link: every booking; paid: paid before its deadline passed; expired and
        # cancelled: the deadline passed unpaid (a late payment sends no "paid")
        late = {pk for pk in plan.race if bookings[pk].paid_late}
        expected = {f"booking:{pk}:link" for pk in bookings}
        expected |= {f"booking:{pk}:paid" for pk in plan.paid + plan.race if pk not in late}
        expected |= {
            f"booking:{pk}:{kind}"
            for pk in plan.expire + sorted(late)
            for kind in ("expired", "cancelled")
        }
        self.check(
            "the outbox holds exactly the expected messages, once each (link, paid, expired, "
            "cancelled)",
            expected == keys and len(keys) == len(messages),
            f"{len(messages)} rows, {len(expected)} expected; missing {sorted(expected - keys)}"
            f", unexpected {sorted(keys - expected)}",
        )
        unsent = [m for m in messages if m.status not in ("sent", "delivered")]
        self.check("no message lost: every outbox row sent", not unsent, f"{len(unsent)} not sent")
        received: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for request in list(self.sms.requests):
            payload = request.json() or {}
            for phone in payload.get("recipients", []):
                received[(str(phone), payload.get("sms", {}).get("text", ""))].append(request)
        by_message = {
            m.pk: received.get((re.sub(r"\D", "", m.recipient), m.text), []) for m in messages
        }
        missing = [pk for pk, got in by_message.items() if not got]
        self.check(
            "every message reached the SMS gateway",
            not missing,
            f"{len(messages) - len(missing)}/{len(messages)}",
        )
        duplicated = {pk: got for pk, got in by_message.items() if len(got) > 1}
        unexpected = set(duplicated) - self.killed_in_flight
        keyed = {pk: {wire_key(r) for r in got} for pk, got in duplicated.items()}
        carry = {pk for pk, found in keyed.items() if len(found) == 1 and "" not in found}
        self.check(
            "duplicates at the gateway only for deliveries the killed worker had in flight",
            not unexpected,
            f"{len(duplicated)} duplicated: {sorted(duplicated)}; in flight at the kill: "
            f"{sorted(self.killed_in_flight)}; unexpected: {sorted(unexpected)}",
        )
        inconsistent = {pk for pk, found in keyed.items() if len(found) > 1 and "" not in found}
        self.check(
            "a resend carries the same idempotency key as the first copy, when the transport "
            "passes one",
            not inconsistent,
            (
                f"{len(carry)} of {len(duplicated)} duplicate(s) carry the outbox key (the "
                "gateway can drop them); "
                f"{len(duplicated) - len(carry) - len(inconsistent)} carry none (the "
                "transport passes no key: at least once)"
            ),
        )
