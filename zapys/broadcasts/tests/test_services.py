"""Broadcasts: audiences, refusals, channel fallback and opt-outs, batches with constant
queries, a killed worker resumed without duplicates, the estimate, done and told (M5)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import SYSTEM, make_branch, make_staff
from tests.factories_clients import make_client, make_tag
from tests.factories_ledger import make_entry, make_membership
from tests.factories_messaging import link_messenger
from tests.factories_schedule import make_service, make_visit
from zapys.broadcasts import services
from zapys.broadcasts.models import Broadcast
from zapys.broadcasts.selectors import (
    AudienceSpec,
    audience_clients,
    broadcast_messages,
    broadcast_progress,
    estimate,
)
from zapys.broadcasts.services import (
    broadcast_create,
    broadcast_finish,
    broadcast_queue_batch,
    broadcast_run,
    broadcast_settings_save,
)
from zapys.clients.hooks import balances_for
from zapys.core.exceptions import DomainError
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry
from zapys.messaging import outbox
from zapys.messaging.models import Message, StaffNotification
from zapys.messaging.services import client_opt_out_set
from zapys.schedule.models import Attendance

pytestmark = pytest.mark.django_db

ALL = AudienceSpec("all")


def create(org, spec=ALL, text="{client.first_name}, hello!", channel="", send_at=None):
    with mock.patch.object(services, "_enqueue"):  # the tests drive the run themselves
        return broadcast_create(
            organization=org, spec=spec, channel=channel, text=text, send_at=send_at, actor=SYSTEM
        )


def run(broadcast, **kwargs):
    return broadcast_run(broadcast_id=broadcast.pk, now=timezone.now(), **kwargs)


def ids(qs):
    return sorted(qs.values_list("pk", flat=True))


# --- Audiences ------------------------------------------------------------------------------


def test_audience_tags_clients_and_all(org):
    vip, new = make_tag(org, "VIP"), make_tag(org, "New")
    a = make_client(org, tags=["VIP"])
    b = make_client(org, tags=["VIP", "New"])
    c = make_client(org, tags=["New"])
    d = make_client(org)
    gone = make_client(org, tags=["VIP"])
    gone.deleted_at = timezone.now()
    gone.save()
    now = timezone.now()

    def who(spec):
        return ids(audience_clients(organization=org, spec=spec, now=now))

    assert who(ALL) == sorted([a.pk, b.pk, c.pk, d.pk])
    assert who(AudienceSpec("tags", tag_ids=(vip.pk,))) == sorted([a.pk, b.pk])
    # several tags: any of them, each client once
    assert who(AudienceSpec("tags", tag_ids=(vip.pk, new.pk))) == sorted([a.pk, b.pk, c.pk])
    assert who(AudienceSpec("clients", client_ids=(d.pk,))) == [d.pk]


def test_audience_segments(org, django_assert_num_queries):
    branch = make_branch(org)
    staff = make_staff(org, "specialist", branches=[branch])
    service = make_service(org)
    member, debtor, lapsed, recent, nobody = (make_client(org) for _ in range(5))
    make_membership(member, starts_on=timezone.localdate() - timedelta(days=3))
    make_entry(debtor, kind=Entry.Kind.CREDIT, amount=5000, purpose=Entry.Purpose.SERVICE)
    assert balances_for([debtor.pk])[debtor.pk] < 0
    now = timezone.now()
    for client, days_ago in ((lapsed, 101), (recent, 100), (recent, 5)):
        make_visit(
            org,
            client=client,
            staff=staff,
            service=service,
            starts_at=now - timedelta(days=days_ago),
        )
    Attendance.objects.update(state=Attendance.State.ATTENDED)

    def who(spec):
        return ids(audience_clients(organization=org, spec=spec, now=now))

    assert member.pk in who(AudienceSpec("active_membership"))
    assert who(AudienceSpec("active_membership")) == [member.pk]
    # the membership's sale charged the member: both owe money
    assert debtor.pk in who(AudienceSpec("negative_balance"))
    assert nobody.pk not in who(AudienceSpec("negative_balance"))
    assert who(AudienceSpec("last_visit_before", days=30)) == [lapsed.pk]
    # counted in one query
    with django_assert_num_queries(1):
        audience_clients(
            organization=org, spec=AudienceSpec("last_visit_before", days=30), now=now
        ).count()


# --- Refusals: nothing is created -----------------------------------------------------------


def test_broadcast_to_nobody_is_refused(org, consoles):
    tag = make_tag(org, "Empty")
    make_client(org)
    with pytest.raises(DomainError) as caught:
        create(org, AudienceSpec("tags", tag_ids=(tag.pk,)))
    assert caught.value.errors[0]["field"] == "audience"
    assert not Broadcast.objects.exists() and not Message.objects.exists()


def test_bad_input_is_refused_field_by_field(org, other_org, consoles):
    make_client(org)
    with org_scope(other_org):
        foreign_tag = make_tag(other_org, "Theirs")
        foreign_client = make_client(other_org)
    cases = [
        ({"text": "   "}, "text"),
        ({"text": "x" * 4001}, "text"),
        ({"channel": "pigeon"}, "channel"),
        ({"spec": AudienceSpec("tags", tag_ids=(foreign_tag.pk,))}, "tags"),
        ({"spec": AudienceSpec("tags")}, "tags"),
        ({"spec": AudienceSpec("clients", client_ids=(foreign_client.pk,))}, "client_ids"),
        ({"spec": AudienceSpec("last_visit_before", days=0)}, "days"),
        ({"spec": AudienceSpec("everyone-ish")}, "audience"),
        ({"send_at": timezone.now() - timedelta(days=1)}, "send_at"),
    ]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as caught:
            create(org, **kwargs)
        assert field in [e["field"] for e in caught.value.errors], kwargs
    assert not Broadcast.objects.exists()


def test_nobody_reachable_is_refused(org):
    make_client(org)  # a phone, but no transport account at all
    with pytest.raises(DomainError):
        create(org)
    assert not Broadcast.objects.exists()


# --- Sending: fallback, opt-outs, unsubscribe link ------------------------------------------


def test_channel_fallback_and_opt_outs(org, consoles):
    on_telegram = make_client(org, "Шевченко Тетяна")
    link_messenger(on_telegram, "telegram", "111")
    stopped_telegram = make_client(org, "Stopped Stepan")
    link_messenger(stopped_telegram, "telegram", "222")
    client_opt_out_set(client=stopped_telegram, channel="telegram", opted_out=True, actor=SYSTEM)
    unsubscribed = make_client(org, "Unsubscribed Ulyana")
    client_opt_out_set(client=unsubscribed, channel=None, opted_out=True, actor=SYSTEM)
    no_address = make_client(org, "Nowhere Nazar", phone="")
    broadcast = create(org)
    assert broadcast.total == 4
    run(broadcast)
    rows = {m.client_id: m for m in broadcast_messages(broadcast)}
    assert set(rows) == {on_telegram.pk, stopped_telegram.pk}
    assert rows[on_telegram.pk].channel == "telegram"
    # greeted in the vocative («Тетяно»): the organization writes in Ukrainian
    assert rows[on_telegram.pk].text.startswith(f"{on_telegram.greeting_vocative}, hello!")
    assert on_telegram.first_name  # a name, not the placeholder
    assert rows[stopped_telegram.pk].channel == "sms"  # the STOP was for Telegram only
    sms = rows[stopped_telegram.pk].text
    assert "/u/" in sms and f"/u/{stopped_telegram.pk}." in sms  # the unsubscribe link
    broadcast.refresh_from_db()
    assert (broadcast.queued, broadcast.skipped) == (2, 2)
    assert unsubscribed.pk not in rows and no_address.pk not in rows


def test_sent_to_the_console_then_done_and_staff_told(org, consoles):
    for _ in range(3):
        make_client(org)
    broadcast = create(org)
    run(broadcast)
    assert not broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())  # still queued
    outbox.deliver_due(now=timezone.now())
    assert broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
    broadcast.refresh_from_db()
    assert broadcast.status == "done"
    progress = broadcast_progress(broadcast)
    # the console is the test mode: it reached no one, so nothing counts as sent
    assert (progress.total, progress.sent, progress.failed, progress.percent) == (3, 0, 0, 100)
    assert progress.test_mode == 3
    note = StaffNotification.objects.get(related_id=str(broadcast.pk))
    assert "3" in note.body and note.url.endswith(f"/broadcasts/{broadcast.pk}/")


def test_scheduled_broadcast_waits_for_its_time(org, consoles):
    make_client(org)
    later = timezone.now() + timedelta(hours=2)
    broadcast = create(org, send_at=later)
    assert broadcast_run(broadcast_id=broadcast.pk, now=timezone.now()) == 0
    broadcast.refresh_from_db()
    assert broadcast.status == "scheduled" and not Message.objects.exists()
    assert broadcast_run(broadcast_id=broadcast.pk, now=later + timedelta(seconds=1)) == 1
    assert Message.objects.count() == 1


# --- Batches: constant queries, killed worker -----------------------------------------------


def _queries_of_one_batch(broadcast, size):
    with CaptureQueriesContext(connection) as ctx:
        covered = broadcast_queue_batch(
            broadcast_id=broadcast.pk, now=timezone.now(), batch_size=size
        )
    return covered, len(ctx.captured_queries)


def test_queries_per_batch_do_not_grow_with_the_batch(org, consoles):
    tag = make_tag(org, "t")
    clients = [make_client(org, tags=["t"]) for _ in range(40)]
    for client in clients[::3]:
        link_messenger(client, "telegram", f"chat-{client.pk}")
    small = create(org, AudienceSpec("clients", client_ids=(clients[0].pk,)))
    big = create(org, AudienceSpec("tags", tag_ids=(tag.pk,)))
    for broadcast in (small, big):
        services.broadcast_start(broadcast_id=broadcast.pk, now=timezone.now())
    covered_small, one = _queries_of_one_batch(small, 40)
    covered_big, many = _queries_of_one_batch(big, 40)
    assert (covered_small, covered_big) == (1, 40)
    # SQLite inserts at most ~45 rows of this width per statement, so 40 rows are still one
    # INSERT: the same statements for 1 client and for 40.
    assert one == many
    assert Message.objects.filter(related_id=str(big.pk)).count() == 40


def test_killed_worker_mid_batch_resumes_and_nobody_gets_it_twice(org, consoles):
    clients = [make_client(org) for _ in range(7)]
    broadcast = create(org)
    services.broadcast_start(broadcast_id=broadcast.pk, now=timezone.now())
    assert broadcast_queue_batch(broadcast_id=broadcast.pk, now=timezone.now(), batch_size=3) == 3
    # The worker dies while writing the second batch: its transaction is rolled back.
    with (
        mock.patch.object(Message.objects, "bulk_create", side_effect=SystemExit("killed")),
        pytest.raises(SystemExit),
    ):
        broadcast_queue_batch(broadcast_id=broadcast.pk, now=timezone.now(), batch_size=3)
    broadcast.refresh_from_db()
    assert broadcast.cursor == clients[2].pk and Message.objects.count() == 3
    # The job finds it "sending" and goes on from the cursor.
    from zapys.broadcasts.jobs import send_broadcasts

    send_broadcasts(timezone.now())
    assert sorted(Message.objects.values_list("client_id", flat=True)) == [c.pk for c in clients]
    # Even with the cursor lost (rewound to the start), the unique key keeps one row each.
    Broadcast.objects.filter(pk=broadcast.pk).update(cursor=0, queued_all_at=None)
    run(broadcast)
    assert Message.objects.count() == 7
    assert Message.objects.values("client_id").distinct().count() == 7


# --- Estimate -------------------------------------------------------------------------------


def test_estimate_counts_channels_parts_and_cost(org, consoles, django_assert_max_num_queries):
    broadcast_settings_save(organization=org, sms_price=150, actor=SYSTEM)
    a = make_client(org, "Коваль Анна")
    link_messenger(a, "viber", "v-1")
    for _ in range(3):
        make_client(org)
    unsubscribed = make_client(org)
    client_opt_out_set(client=unsubscribed, channel=None, opted_out=True, actor=SYSTEM)
    make_client(org, phone="", email="")
    text = "{client.first_name}, " + "знижка " * 10  # Cyrillic: UCS-2
    found = estimate(organization=org, spec=ALL, channel="", text=text, now=timezone.now())
    assert found.total == 6
    assert found.by_channel == {"viber": 1, "sms": 3}
    assert (found.opted_out, found.unreachable) == (1, 1)
    assert found.sms_encoding == "UCS-2"
    assert found.sms_parts_each >= 2  # 70 UCS-2 characters at most in one part
    assert found.sms_parts == 3 * found.sms_parts_each
    assert found.sms_cost == found.sms_parts * 150
    assert found.sample == a and found.preview["viber"].startswith(f"{a.greeting_vocative}, знижка")
    # grouped, not per client: the same queries for 6 clients and for 30 more
    with CaptureQueriesContext(connection) as few:
        estimate(organization=org, spec=ALL, channel="", text=text, now=timezone.now())
    for _ in range(30):
        make_client(org)
    with django_assert_max_num_queries(len(few.captured_queries)):
        estimate(organization=org, spec=ALL, channel="", text=text, now=timezone.now())


def test_estimate_of_a_latin_text_is_gsm(org, consoles):
    # In English the unsubscribe line is Latin too; in Ukrainian it is Cyrillic, which makes
    # every SMS UCS-2 (the estimate says so: the next test).
    org.language = "en"
    org.save(update_fields=["language"])
    make_client(org, "Bob")
    found = estimate(
        organization=org,
        spec=ALL,
        channel="sms",
        text="{client.first_name}, hi",
        now=timezone.now(),
    )
    assert found.sms_encoding == "GSM-7" and found.sms_parts == 1
    assert found.sms_cost == 0  # no price set: the page asks for it


def test_settings_price_bounds(org):
    with pytest.raises(DomainError):
        broadcast_settings_save(organization=org, sms_price=-1, actor=SYSTEM)
    assert broadcast_settings_save(organization=org, sms_price=99, actor=SYSTEM).sms_price == 99


def test_a_latin_sms_stays_gsm7_in_a_ukrainian_organization(org, consoles):
    """The Ukrainian unsubscribe line goes transliterated after a Latin body (one Cyrillic
    letter would make the SMS UCS-2); the estimate counts the text that is then sent."""
    from zapys.messaging.sms import sms_parts

    assert org.language == "uk"
    make_client(org, "Bob", phone="+380501112233")
    text = "{client.first_name}, hi! Spring sale -20% on all manicures this week."
    found = estimate(organization=org, spec=ALL, channel="sms", text=text, now=timezone.now())
    assert "Vidpysatysia: http" in found.preview["sms"]
    assert found.sms_encoding == "GSM-7" and found.sms_parts == found.sms_parts_each == 1
    broadcast = create(org, text=text, channel="sms")
    run(broadcast)
    sent = Message.objects.get(channel="sms", related_id=str(broadcast.pk))
    assert sent.text == found.preview["sms"]
    info = sms_parts(sent.text)
    assert (info.encoding, info.parts) == (found.sms_encoding, found.sms_parts_each)


def test_a_ukrainian_sms_keeps_the_ukrainian_unsubscribe_line(org, consoles):
    make_client(org, "Bob", phone="+380501112233")
    found = estimate(
        organization=org,
        spec=ALL,
        channel="sms",
        text="{client.first_name}, знижки тижня!",
        now=timezone.now(),
    )
    assert found.sms_encoding == "UCS-2"
    assert "Відписатися: http" in found.preview["sms"]


def test_transliteration_of_the_line():
    from zapys.broadcasts.gsm import sms_footer, transliterate

    assert transliterate("Відписатися: Юлія, Згорани, Їжак") == (
        "Vidpysatysia: Yuliia, Zghorany, Yizhak"
    )
    assert sms_footer("hi", "Відписатися: x") == "Vidpysatysia: x"
    assert sms_footer("привіт", "Відписатися: x") == "Відписатися: x"


def test_the_estimate_counts_each_recipients_own_text(org, consoles):
    """A Latin text with a Cyrillic first name is UCS-2 for that client (and keeps the
    Ukrainian line): the estimate counts each recipient's text, not only the sample's."""
    from zapys.messaging.sms import sms_parts

    make_client(org, "Bob", phone="+380501112233")
    make_client(org, "Шевченко Олена", phone="+380501112234")
    text = "{client.first_name}, hi! Spring sale -20% on all manicures this week."
    found = estimate(organization=org, spec=ALL, channel="sms", text=text, now=timezone.now())
    broadcast = create(org, text=text, channel="sms")
    run(broadcast)
    sent = list(Message.objects.filter(channel="sms", related_id=str(broadcast.pk)))
    assert len(sent) == 2
    assert found.sms_parts == sum(sms_parts(m.text).parts for m in sent)
    assert found.sms_encoding == "UCS-2"  # at least one recipient's text is
    assert {sms_parts(m.text).encoding for m in sent} == {"GSM-7", "UCS-2"}
