"""Move client import files out of MEDIA_ROOT (public) into the private storage (issue 10).

Imports used to be saved as MEDIA_ROOT/client_imports/YYYY/MM/clients.csv|xlsx, which
`/media/` served to anyone. Each file still there is copied to the private storage under an
opaque name and its row updated; a row whose file is missing gets an empty file (an import
still waiting for it is expired). Files no row refers to are moved too (the
`clients.import_files` job deletes them after a day). The public copies are deleted only
after the migration's transaction commits, so a failed migration leaves everything where
it was. There is no way back: making the files public again is not an option.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import migrations, transaction

OLD_FOLDER = "client_imports"
NEW_FOLDER = "client-imports"
UNFINISHED = ("previewed", "queued", "running")


def _inside(path, root):
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def _copy_to_private(private, source):
    with source.open("rb") as fh:
        return private.save(f"{NEW_FOLDER}/{secrets.token_urlsafe(24)}", File(fh))


def move_to_private(apps, schema_editor):
    if schema_editor is not None and getattr(settings, "TESTING", False):
        # The test runner migrates a fresh, empty database while MEDIA_ROOT still points at
        # this machine's real files: those are for the real database's migrate.
        return
    ClientImport = apps.get_model("clients", "ClientImport")
    media = Path(settings.MEDIA_ROOT)
    old_root = media / OLD_FOLDER
    private = storages["private"]
    moved = []
    rows = ClientImport.objects.filter(file__startswith=f"{OLD_FOLDER}/").values_list(
        "pk", "file", "status"
    )
    for pk, name, status in list(rows):
        source = media / name
        if source.is_file() and _inside(source, old_root):
            new_name = _copy_to_private(private, source)
            ClientImport.objects.filter(pk=pk).update(file=new_name)
            moved.append(source)
        else:
            changes = {"file": ""}
            if status in UNFINISHED:
                changes["status"] = "expired"
            ClientImport.objects.filter(pk=pk).update(**changes)
    if old_root.is_dir():
        for source in sorted(old_root.rglob("*")):
            if source.is_file() and source not in moved:
                _copy_to_private(private, source)
                moved.append(source)

    def delete_public_copies():
        for source in moved:
            source.unlink(missing_ok=True)
        if old_root.is_dir():
            for folder in sorted(old_root.rglob("*"), reverse=True):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            if not any(old_root.iterdir()):
                old_root.rmdir()

    using = schema_editor.connection.alias if schema_editor is not None else "default"
    transaction.on_commit(delete_public_copies, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_clientimport_private_storage"),
    ]

    operations = [migrations.RunPython(move_to_private, migrations.RunPython.noop)]
