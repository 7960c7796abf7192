"""The demo's clients came from another CRM through the import (issue 17): the import page
lists that import with its date, rows and who ran it, and the opening balances the payments
report shows are the ones it brought — not balances "from an import" nobody made."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.demo_build import demo_built
from zapys.accounts.models import User
from zapys.clients.models import Client, ClientImport
from zapys.core.tenancy import org_scope, organization_zone
from zapys.ledger.models import Entry
from zapys.ledger.selectors import balances_for

pytestmark = pytest.mark.demo


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    with demo_built(django_db_blocker) as org:  # one build for the module's tests
        yield org


@pytest.fixture
def demo(demo_once, db):
    with org_scope(demo_once), timezone.override(organization_zone(demo_once)):
        yield demo_once


def test_the_demo_imported_its_clients_and_their_opening_balances(demo):
    owner = User.objects.get(username="owner")
    run = ClientImport.objects.get()
    assert run.status == ClientImport.Status.DONE
    assert (run.total_rows, run.report["created"], run.report["rejected_count"]) == (50, 50, 0)
    assert run.created_by == owner and run.started_by == owner
    assert not run.file  # the file is deleted once imported, as always
    opening = Entry.objects.filter(purpose=Entry.Purpose.OPENING_BALANCE)
    assert opening.count() == run.report["opening_balances"] == 4
    # the balances came with the import, before any of the salon's history in Zapys
    assert {e.created_at.date() for e in opening} == {run.finished_at.date()}
    first_other = Entry.objects.exclude(purpose=Entry.Purpose.OPENING_BALANCE).earliest(
        "created_at"
    )
    assert run.finished_at < first_other.created_at
    assert Client.objects.filter(created_at__lte=run.finished_at).count() >= 50
    # one imported debt; the «борг» tag the import brought on it follows the balance once
    # the demo's money is in (`ledger.demo.settle`): only clients who owe carry it
    assert opening.filter(kind=Entry.Kind.CREDIT).count() == 1
    tagged = set(Client.objects.filter(tags__name="борг"))
    balances = balances_for([c.pk for c in Client.objects.all()])
    assert tagged and all(balances[c.pk] < 0 for c in tagged)


@pytest.mark.parametrize(
    ("language", "words"), [("uk", "Завершено"), ("en", "Done")], ids=["uk", "en"]
)
def test_the_import_page_lists_the_demos_import(demo, client, language, words):
    owner = User.objects.get(username="owner")
    run = ClientImport.objects.get()
    client.force_login(owner)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get("/clients/import/").content.decode()
    assert "No imports yet." not in page and "Імпортів ще не було" not in page
    assert page.count('data-testid="import-row"') == 1
    when = timezone.localtime(run.created_at).strftime("%d.%m.%Y %H:%M")
    for shown in ("Клієнти з попередньої CRM.csv", words, ">50<", when, "Зоряна Петренко"):
        assert shown in page, shown
    detail = client.get(f"/clients/import/{run.pk}/").content.decode()
    assert 'data-testid="import-done"' in detail
