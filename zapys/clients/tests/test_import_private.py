"""Client import files are private (issue 10): outside MEDIA_ROOT under opaque names, served
to nobody, deleted when the import ends, swept after a day, and moved out of MEDIA_ROOT by a
migration."""

import importlib
import os
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_staff
from zapys.clients import importing
from zapys.clients.models import Client, ClientImport
from zapys.core.audit import Actor
from zapys.core.exceptions import DomainError
from zapys.core.jobs import discover_jobs, run_due_jobs
from zapys.core.models import AuditLog
from zapys.core.private_storage import check_private_root, private_storage
from zapys.core.tenancy import org_scope, unscoped

CSV = "name;phone;email\nКоваленко Олена;067 123 45 67;olena@example.com\nБондар Ігор;0501112233;\n"


def _files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _upload(staff_client, content=CSV.encode(), name="clients.csv"):
    staff_client.post("/clients/import/", {"file": SimpleUploadedFile(name, content)})
    return ClientImport.objects.order_by("-id").first()


def test_an_uploaded_import_is_private_and_served_to_nobody(
    org, staff_client, settings, private_root, other_org
):
    upload = _upload(staff_client)
    name = upload.file.name
    # An opaque name: nothing of the uploaded name, the organization or the date.
    folder, token = name.split("/")
    assert folder == "client-imports" and len(token) == 32
    for hint in ("clients", "csv", org.slug, str(timezone.now().year)):
        assert hint not in token
    # In the private root, and nothing of it under MEDIA_ROOT.
    assert _files(private_root) == [name]
    assert (private_root / name).read_bytes() == CSV.encode()
    media = settings.MEDIA_ROOT
    assert not media.exists() or _files(media) == []
    with pytest.raises(ValueError):
        private_storage.url(name)

    # /media/ works (a deliberately public file is served) ...
    media.mkdir(parents=True, exist_ok=True)
    (media / "public.txt").write_text("public")
    anonymous = HttpClient()
    assert anonymous.get("/media/public.txt").status_code == 200
    # ... but neither the stored name nor the old public path reaches the import.
    now = timezone.now()
    old_path = f"/media/client_imports/{now:%Y}/{now:%m}/clients.csv"
    for path in (f"/media/{name}", f"/media/private/{name}", old_path, f"/media/../private/{name}"):
        response = anonymous.get(path)
        assert response.status_code in (400, 404), path  # 400: the traversal is refused
        assert CSV.encode() not in response.content

    # Another organization's staff reach neither the file nor the import's pages.
    with org_scope(other_org):
        stranger = make_staff(other_org, "owner", username="owner-b")
    other = HttpClient()
    other.force_login(stranger)
    for path in (
        f"/media/{name}",
        old_path,
        f"/clients/import/{upload.pk}/",
        f"/clients/import/{upload.pk}/progress/",
    ):
        response = other.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 404, path
        assert CSV.encode() not in response.content
    assert other.post(f"/clients/import/{upload.pk}/confirm/").status_code == 404
    upload.refresh_from_db()
    assert upload.status == "checking" and upload.file.name == name
    assert Client.objects.count() == 0


def test_the_file_is_deleted_when_the_import_is_done(
    org, staff_client, private_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = _upload(staff_client)
    upload.refresh_from_db()
    assert upload.status == "previewed" and _files(private_root) == [upload.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/clients/import/{upload.pk}/confirm/")
    upload.refresh_from_db()
    assert upload.status == "done" and upload.report["created"] == 2
    assert upload.file.name == "" and _files(private_root) == []


def test_the_file_is_deleted_when_the_file_is_refused(
    org, staff_client, private_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = _upload(staff_client, b"no,columns\n1,2\n")
    upload.refresh_from_db()
    assert upload.status == "refused" and upload.file.name == "" and _files(private_root) == []


def test_the_file_is_deleted_when_the_import_fails(
    org, staff_client, private_root, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload = _upload(staff_client)

    def broken(**kwargs):
        raise DomainError("the ledger refused")

    monkeypatch.setattr(importing, "import_execute", broken)
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/clients/import/{upload.pk}/confirm/")
    upload.refresh_from_db()
    assert (upload.status, upload.error) == ("failed", "the ledger refused")
    assert upload.file.name == "" and _files(private_root) == []
    assert Client.objects.count() == 0


def test_the_file_is_deleted_when_the_import_crashes(org, actor, private_root, monkeypatch):
    upload = importing.client_import_upload(
        organization=org, file=SimpleUploadedFile("c.csv", CSV.encode()), filename="c.csv",
        actor=actor, size=len(CSV.encode()),
    )  # fmt: skip
    importing.client_import_check(upload=upload, actor=actor)
    importing.client_import_start(upload=upload, actor=actor)

    def crash(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(importing, "import_execute", crash)
    with pytest.raises(RuntimeError):
        importing.client_import_run(upload=ClientImport.objects.get(pk=upload.pk), actor=actor)
    upload.refresh_from_db()
    assert upload.status == "failed" and "stopped because of an error" in upload.error
    assert upload.file.name == "" and _files(private_root) == []


def _age(path, days):
    stamp = time.time() - days * 86400
    os.utime(path, (stamp, stamp))


def _stored(org, owner, *, status, content=b"name,phone\n", days_old=0.0):
    upload = ClientImport.objects.create(
        organization=org, original_name="c.csv", status=status, created_by=owner
    )
    upload.file.save("ignored", SimpleUploadedFile("c.csv", content))
    ClientImport.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - timedelta(days=days_old)
    )
    _age(private_storage.path(upload.file.name), days_old)
    return upload


def test_job_deletes_import_files_older_than_a_day_and_keeps_fresh_ones(
    org, owner, private_root, other_org
):
    waiting = _stored(org, owner, status="previewed", days_old=1.5)
    finished = _stored(org, owner, status="done", days_old=3)
    fresh = _stored(org, owner, status="previewed", days_old=0.5)
    with org_scope(other_org):
        theirs = _stored(other_org, None, status="previewed", days_old=2)
    orphan = private_root / "client-imports" / "orphan"  # an upload whose transaction failed
    orphan.write_bytes(b"name,phone\n")
    _age(orphan, 2)
    young_orphan = private_root / "client-imports" / "young"
    young_orphan.write_bytes(b"name,phone\n")
    with unscoped():
        audits = AuditLog.objects.count()

    assert "clients.import_files" in discover_jobs()
    results = dict(run_due_jobs(timezone.now(), only=["clients.import_files"]))
    assert results["clients.import_files"].startswith("deleted 4 import files older than a day")

    assert _files(private_root) == sorted([fresh.file.name, "client-imports/young"])
    for upload, status in ((waiting, "expired"), (finished, "done")):
        upload.refresh_from_db()
        assert (upload.status, upload.file.name) == (status, "")
    theirs = ClientImport.objects.for_org(other_org).get(pk=theirs.pk)
    assert (theirs.status, theirs.file.name) == ("expired", "")
    fresh.refresh_from_db()
    assert fresh.status == "previewed" and fresh.file.name
    # One audit row per expired import, each in its own organization, by the scheduler.
    with unscoped():
        assert AuditLog.objects.count() == audits + 2
        expired = AuditLog.objects.filter(action="client.import_expire").order_by("organization_id")
        assert [(a.organization_id, a.object_id, a.actor_kind) for a in expired] == [
            (org.pk, str(waiting.pk), "scheduler"),
            (other_org.pk, str(theirs.pk), "scheduler"),
        ]
    page = HttpClient()
    page.force_login(owner)
    text = page.get(f"/clients/import/{waiting.pk}/").content.decode()
    assert 'data-testid="import-expired"' in text and 'data-testid="import-confirm"' not in text


def test_job_queues_again_a_check_or_an_import_whose_task_was_lost(org, owner, private_root):
    lost = _stored(org, owner, status="checking", content=CSV.encode(), days_old=0.01)  # ~15 min
    recent = _stored(org, owner, status="checking", content=CSV.encode(), days_old=0)
    summary = discover_jobs()["clients.import_files"].func(timezone.now())
    assert summary.endswith("queued 1 again")
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == "previewed" and lost.preview["created"] == 2  # Huey is immediate here
    assert recent.status == "checking"  # its own task may still be on its way
    assert Client.objects.count() == 0

    # Confirmed 15 minutes ago, never started: queued again, and it runs once.
    ClientImport.objects.filter(pk=lost.pk).update(
        status="queued", started_at=timezone.now() - timedelta(minutes=15), started_by=owner
    )
    discover_jobs()["clients.import_files"].func(timezone.now())
    lost.refresh_from_db()
    assert lost.status == "done" and Client.objects.count() == 2
    assert discover_jobs()["clients.import_files"].func(timezone.now()).endswith("queued 0 again")


def test_job_queries_do_not_grow_with_the_number_of_files(org, owner, private_root):

    def sweep_queries(n):
        for _ in range(n):
            _stored(org, owner, status="previewed", days_old=2)
        with CaptureQueriesContext(connection) as queries:
            result = importing.client_import_files_sweep(now=timezone.now())
        assert result.deleted == result.expired == n
        return len(queries)

    assert sweep_queries(2) == sweep_queries(7)


def test_migration_moves_public_import_files_into_the_private_storage(
    org, owner, settings, private_root, django_capture_on_commit_callbacks
):
    media = settings.MEDIA_ROOT
    old = media / "client_imports" / "2026" / "11"
    old.mkdir(parents=True)
    (old / "clients.csv").write_bytes(CSV.encode())
    (old / "clients_x1Yz.xlsx").write_bytes(b"orphan: its import row is gone")
    moved = ClientImport.objects.create(organization=org, original_name="a.csv", status="previewed")
    missing = ClientImport.objects.create(organization=org, original_name="b.csv", status="queued")
    done = ClientImport.objects.create(organization=org, original_name="c.csv", status="done")
    ClientImport.objects.filter(pk=moved.pk).update(file="client_imports/2026/11/clients.csv")
    ClientImport.objects.filter(pk__in=[missing.pk, done.pk]).update(
        file="client_imports/2026/10/clients.csv"
    )
    anonymous = HttpClient()
    assert anonymous.get("/media/client_imports/2026/11/clients.csv").status_code == 200

    migration = importlib.import_module(
        "zapys.clients.migrations.0004_move_import_files_to_private_storage"
    )
    state = MigrationLoader(connection).project_state(
        ("clients", "0003_clientimport_private_storage")
    )
    with django_capture_on_commit_callbacks(execute=True):
        migration.move_to_private(state.apps, None)

    moved.refresh_from_db()
    assert moved.file.name.startswith("client-imports/") and "clients" not in moved.file.name[15:]
    assert (private_root / moved.file.name).read_bytes() == CSV.encode()
    assert moved.status == "previewed"
    missing.refresh_from_db()
    done.refresh_from_db()
    assert (missing.file.name, missing.status) == ("", "expired")
    assert (done.file.name, done.status) == ("", "done")
    private_files = _files(private_root)
    assert len(private_files) == 2  # the row's file and the orphan
    assert sorted((private_root / f).read_bytes() for f in private_files) == sorted(
        [CSV.encode(), b"orphan: its import row is gone"]
    )
    assert not (media / "client_imports").exists()
    assert anonymous.get("/media/client_imports/2026/11/clients.csv").status_code == 404

    # The moved import still runs (its file is found where the row now says).
    with django_capture_on_commit_callbacks(execute=True):
        importing.client_import_start(upload=moved, actor=Actor.staff(owner))
    moved.refresh_from_db()
    assert moved.status == "done" and Client.objects.count() == 2


def test_check_refuses_a_private_root_inside_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "zapys.core.private_storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media" / "private")},
        },
    }
    assert [e.id for e in check_private_root()] == ["zapys.E102"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "zapys.core.private_storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    assert check_private_root() == []
